package receiver

import (
	"encoding/json"
	"testing"

	"github.com/vigil-gw/vigil/internal/ssf/set"
)

func mapSET(event, payload string, sub *set.Subject) *set.SET {
	return &set.SET{Issuer: idpIssuer, ID: "j", IssuedAt: testNow, Audience: []string{audience},
		Subject: sub, Event: event, Payload: json.RawMessage(payload)}
}

var (
	alice      = set.EmailSubject("alice@example.com")
	aliceSess  = set.Subject{Format: set.FormatComplex, User: &alice, Session: &set.Subject{Format: set.FormatOpaque, ID: "sess-9"}}
	deviceOnly = set.Subject{Format: set.FormatComplex, Device: &set.Subject{Format: set.FormatOpaque, ID: "d1"}}
	sessOnly   = set.Subject{Format: set.FormatComplex, Session: &set.Subject{Format: set.FormatOpaque, ID: "sess-9"}}
)

type want struct {
	action   string
	kind     string
	severity int
}

var mapCases = []struct {
	name    string
	event   string
	payload string
	sub     *set.Subject
	want    []want // nil with ok=false: error
	session string
	ok      bool
}{
	{"session revoked", set.CAEPSessionRevoked, `{}`, &alice, []want{{ActionRevokeSessions, "", 0}}, "", true},
	{"one session revoked", set.CAEPSessionRevoked, `{"initiating_entity":"admin"}`, &aliceSess, []want{{ActionRevokeSessions, "", 0}}, "sess-9", true},
	{"session named without user", set.CAEPSessionRevoked, `{}`, &sessOnly, []want{{ActionRevokeSessions, "", 0}}, "sess-9", true},
	{"session only subject on a user event", set.CAEPCredentialChange, `{"credential_type":"password","change_type":"update"}`, &sessOnly, []want{{ActionNone, "", 0}}, "", true},
	{"credential change", set.CAEPCredentialChange, `{"credential_type":"password","change_type":"update"}`, &alice, []want{{ActionRisk, KindCredentialChange, 30}}, "", true},
	{"credential change incomplete", set.CAEPCredentialChange, `{}`, &alice, nil, "", false},
	{"assurance decrease", set.CAEPAssuranceLevelChange, `{"namespace":"NIST-IAL","current_level":"IAL1","change_direction":"decrease"}`, &alice, []want{{ActionRisk, KindAssuranceDecrease, 40}}, "", true},
	{"assurance increase", set.CAEPAssuranceLevelChange, `{"namespace":"NIST-IAL","current_level":"IAL2","change_direction":"increase"}`, &alice, []want{{ActionNone, "", 0}}, "", true},
	{"risk high", set.CAEPRiskLevelChange, `{"principal":"USER","current_level":"HIGH","risk_reason":"leaked\npassword"}`, &alice, []want{{ActionRisk, KindRiskLevel, 80}}, "", true},
	{"risk medium", set.CAEPRiskLevelChange, `{"principal":"USER","current_level":"MEDIUM"}`, &alice, []want{{ActionRisk, KindRiskLevel, 45}}, "", true},
	{"risk low", set.CAEPRiskLevelChange, `{"principal":"USER","current_level":"LOW"}`, &alice, []want{{ActionClearRisk, KindRiskLevel, 0}}, "", true},
	{"risk bad level", set.CAEPRiskLevelChange, `{"current_level":"SEVERE"}`, &alice, nil, "", false},
	{"device not compliant", set.CAEPDeviceComplianceChange, `{"previous_status":"compliant","current_status":"not-compliant"}`, &aliceSess, []want{{ActionRisk, KindDeviceNonCompliant, 50}}, "sess-9", true},
	{"device compliant again", set.CAEPDeviceComplianceChange, `{"previous_status":"not-compliant","current_status":"compliant"}`, &alice, []want{{ActionClearRisk, KindDeviceNonCompliant, 0}}, "", true},
	{"device only subject", set.CAEPDeviceComplianceChange, `{"previous_status":"compliant","current_status":"not-compliant"}`, &deviceOnly, []want{{ActionNone, "", 0}}, "", true},
	{"account disabled", set.RISCAccountDisabled, `{"reason":"hijacking"}`, &alice, []want{{ActionRevokeSessions, "", 0}, {ActionRisk, KindAccountDisabled, 100}}, "", true},
	{"account purged", set.RISCAccountPurged, `{}`, &alice, []want{{ActionRevokeSessions, "", 0}, {ActionRisk, KindAccountPurged, 100}}, "", true},
	{"credential compromise", set.RISCCredentialCompromise, `{"credential_type":"password"}`, &alice, []want{{ActionRevokeSessions, "", 0}, {ActionRisk, KindCredentialCompromise, 70}}, "", true},
	{"account enabled", set.RISCAccountEnabled, `{}`, &alice, []want{{ActionClearRisk, KindAccountDisabled, 0}}, "", true},
	{"verification", set.SSFVerification, `{"state":"x"}`, &set.Subject{Format: set.FormatOpaque, ID: "stream"}, []want{{ActionNone, "", 0}}, "", true},
	{"verification without subject", set.SSFVerification, `{}`, nil, []want{{ActionNone, "", 0}}, "", true},
	{"unknown event", "https://example.com/event/new-thing", `{"x":1}`, &alice, []want{{ActionNone, "", 0}}, "", true},
	{"unknown event without subject", "https://example.com/event/new-thing", `{}`, nil, []want{{ActionNone, "", 0}}, "", true},
	{"known event without subject", set.CAEPSessionRevoked, `{}`, nil, nil, "", false},
}

func TestMap(t *testing.T) {
	for _, tc := range mapCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Map(mapSET(tc.event, tc.payload, tc.sub), "Okta")
			if !tc.ok {
				if err == nil {
					t.Fatalf("Map = %+v, want error", got)
				}
				if _, ok := err.(*set.Error); !ok {
					t.Fatalf("error %T is not *set.Error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Map = %+v, want %+v", got, tc.want)
			}
			for i, w := range tc.want {
				e := got[i]
				if e.Action != w.action || e.Kind != w.kind || e.Severity != w.severity || e.Reason == "" {
					t.Fatalf("effect %d = %+v, want %+v", i, e, w)
				}
				wantUser := alice.Key()
				if tc.sub == &sessOnly {
					wantUser = set.Subject{}.Key()
				}
				if e.Action != ActionNone && (e.Subject.Key() != wantUser || e.Session != tc.session) {
					t.Fatalf("effect %d targets %q session %q", i, e.Subject.Key(), e.Session)
				}
			}
		})
	}
}

func TestMapReasonIsOneLine(t *testing.T) {
	got, err := Map(mapSET(set.CAEPRiskLevelChange, `{"current_level":"HIGH","risk_reason":"a\nb\u0007c"}`, &alice), "Okta")
	if err != nil {
		t.Fatal(err)
	}
	if r := got[0].Reason; r != "Okta rated the user's risk high (abc)" {
		t.Fatalf("reason %q", r)
	}
	got, err = Map(mapSET(set.RISCCredentialCompromise, `{"credential_type":"password"}`, &alice), "Okta")
	if err != nil || got[1].Reason != "Okta reported the account's credentials compromised" {
		t.Fatalf("reason %+v %v", got, err)
	}
}

func TestMapperSeverities(t *testing.T) {
	m := Mapper{Severities: map[string]int{RuleRiskHigh: 95}}
	got, err := m.Map(mapSET(set.CAEPRiskLevelChange, `{"current_level":"HIGH"}`, &alice), "Okta")
	if err != nil || got[0].Severity != 95 {
		t.Fatalf("override: %+v %v", got, err)
	}
	got, err = m.Map(mapSET(set.CAEPRiskLevelChange, `{"current_level":"MEDIUM"}`, &alice), "Okta")
	if err != nil || got[0].Severity != 45 {
		t.Fatalf("default kept: %+v %v", got, err)
	}
	d := DefaultSeverities()
	d[RuleRiskHigh] = 1
	if DefaultSeverities()[RuleRiskHigh] != 80 {
		t.Fatal("DefaultSeverities shares its map")
	}
}

func FuzzMap(f *testing.F) {
	for _, tc := range mapCases {
		sub := ""
		if tc.sub != nil {
			sub = mustJSON(tc.sub)
		}
		f.Add(tc.event, tc.payload, sub)
	}
	f.Fuzz(func(t *testing.T, event, payload, sub string) {
		st := mapSET(event, payload, nil)
		if sub != "" {
			var s set.Subject
			if json.Unmarshal([]byte(sub), &s) != nil || s.Validate() != nil {
				return // Parse never yields an invalid subject
			}
			st.Subject = &s
		}
		effects, err := Map(st, "T")
		if err != nil {
			if _, ok := err.(*set.Error); !ok {
				t.Fatalf("error %T", err)
			}
			return
		}
		if len(effects) == 0 {
			t.Fatal("no effects and no error")
		}
		for _, e := range effects {
			switch e.Action {
			case ActionRevokeSessions:
				if (e.Subject.Format == "" && e.Session == "") || e.Subject.Format == set.FormatComplex {
					t.Fatalf("effect %+v names no user and no session", e)
				}
			case ActionRisk, ActionClearRisk:
				if e.Subject.Format == "" || e.Subject.Format == set.FormatComplex {
					t.Fatalf("effect %+v has no user", e)
				}
			case ActionNone:
			default:
				t.Fatalf("unknown action %q", e.Action)
			}
			if e.Action == ActionRisk && (e.Severity < 1 || e.Severity > 100 || e.Kind == "") {
				t.Fatalf("risk effect %+v", e)
			}
		}
	})
}
