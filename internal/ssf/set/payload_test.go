package set

import (
	"encoding/json"
	"testing"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		event   string
		payload string
		into    EventPayload
		ok      bool
	}{
		{"credential change", CAEPCredentialChange, `{"credential_type":"password","change_type":"update","reason_admin":{"en":"reset"}}`, &CredentialChange{}, true},
		{"credential change missing type", CAEPCredentialChange, `{"change_type":"update"}`, &CredentialChange{}, false},
		{"assurance decrease", CAEPAssuranceLevelChange, `{"namespace":"NIST-IAL","current_level":"IAL1","previous_level":"IAL2","change_direction":"decrease"}`, &AssuranceLevelChange{}, true},
		{"assurance bad direction", CAEPAssuranceLevelChange, `{"namespace":"NIST-IAL","current_level":"IAL1","change_direction":"sideways"}`, &AssuranceLevelChange{}, false},
		{"risk high", CAEPRiskLevelChange, `{"principal":"USER","current_level":"HIGH","risk_reason":"PASSWORD_FOUND_IN_DATA_BREACH"}`, &RiskLevelChange{}, true},
		{"risk unknown level", CAEPRiskLevelChange, `{"current_level":"SEVERE"}`, &RiskLevelChange{}, false},
		{"device", CAEPDeviceComplianceChange, `{"previous_status":"compliant","current_status":"not-compliant"}`, &DeviceComplianceChange{}, true},
		{"device bad status", CAEPDeviceComplianceChange, `{"previous_status":"compliant","current_status":"meh"}`, &DeviceComplianceChange{}, false},
		{"legacy string reason", CAEPSessionRevoked, `{"reason_user":"signed out","event_timestamp":1700000000}`, &SessionRevoked{}, true},
		{"wrong type in member", CAEPSessionRevoked, `{"event_timestamp":"yesterday"}`, &SessionRevoked{}, false},
		{"decoder for another event", CAEPSessionRevoked, `{}`, &CredentialChange{}, false},
		{"stream updated", SSFStreamUpdated, `{"status":"paused","reason":"maintenance"}`, &StreamUpdated{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Decode(&SET{Event: tc.event, Payload: json.RawMessage(tc.payload)}, tc.into)
			if (err == nil) != tc.ok {
				t.Fatalf("Decode = %v, want ok=%v", err, tc.ok)
			}
			if err != nil {
				if se := mustParseErr(t, err); se.Code != CodeInvalidRequest {
					t.Fatalf("code %s", se.Code)
				}
			}
		})
	}
	var r SessionRevoked
	if err := Decode(&SET{Event: CAEPSessionRevoked, Payload: json.RawMessage(`{"reason_user":"x","event_timestamp":5}`)}, &r); err != nil ||
		r.ReasonUser["und"] != "x" || r.EventTimestamp != 5 {
		t.Fatalf("decoded %+v, %v", r, err)
	}
}

func TestBuild(t *testing.T) {
	sub := EmailSubject("a@x.org")
	for _, p := range []EventPayload{
		SessionRevoked{Common: Common{EventTimestamp: 1, InitiatingEntity: InitiatorPolicy}},
		RiskLevelChange{Principal: "USER", CurrentLevel: RiskHigh, RiskReason: "impossible travel"},
		AssuranceLevelChange{Namespace: "NIST-IAL", CurrentLevel: "IAL2", ChangeDirection: DirectionIncrease},
		SessionEstablished{ACR: "urn:x", AMR: []string{"pwd"}},
		Verification{State: "abc"},
		StreamUpdated{Status: "enabled"},
	} {
		st, err := Build(p, &sub)
		if err != nil {
			t.Fatalf("%T: %v", p, err)
		}
		st.Issuer, st.ID, st.IssuedAt, st.Audience = testIssuer, "j", testNow, []string{testAudience}
		if err := st.Validate(); err != nil || st.Event != p.EventType() {
			t.Fatalf("%T: %v %s", p, err, st.Event)
		}
	}
	if _, err := Build(RiskLevelChange{CurrentLevel: "nope"}, &sub); err == nil {
		t.Fatal("Build accepted an invalid payload")
	}
}
