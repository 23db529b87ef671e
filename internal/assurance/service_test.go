package assurance_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/assurance"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/risk/detect"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/ssf/receiver"
	"github.com/vigil-gw/vigil/internal/ssf/set"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// env is a Service over a real SQLite store and session manager.
type env struct {
	svc      *assurance.Service
	db       *sqlite.DB
	sessions *session.Manager
	cookies  map[string]string // name -> cookie value
	users    map[string]string // name -> user ID
	sids     map[string]string // name -> session ID
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "v.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m, err := session.New(session.Options{Store: db, MasterSecret: []byte("assurance-test-master-secret-0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	det, err := detect.New(detect.Config{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := assurance.New(assurance.Options{Store: db, Sessions: m, Engine: risk.NewEngine(risk.Thresholds{Medium: 40, High: 70}), Detector: det})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{svc: svc, db: db, sessions: m, cookies: map[string]string{}, users: map[string]string{}, sids: map[string]string{}}
	for _, u := range []struct{ name, provider, sub, email, sid string }{
		{"ada", "corp", "sub-ada", "ada@example.com", "op-1"},
		{"ada2", "corp", "sub-ada", "ada@example.com", "op-2"},
		{"bob", "corp", "sub-bob", "bob@example.com", "op-3"},
		{"partner-ada", "partner", "p-ada", "ada@example.com", "op-1"},
	} {
		v, s, err := m.Create(t.Context(), identity.Identity{Provider: u.provider, Subject: u.sub, Email: u.email}, session.Meta{SID: u.sid})
		if err != nil {
			t.Fatal(err)
		}
		e.cookies[u.name], e.users[u.name], e.sids[u.name] = v, s.UserID, s.ID
	}
	return e
}

// alive reports which named sessions still look up.
func (e *env) alive(t *testing.T) []string {
	t.Helper()
	var out []string
	for name, c := range e.cookies {
		if _, err := e.sessions.Lookup(t.Context(), c); err == nil {
			out = append(out, name)
		} else if !errors.Is(err, session.ErrNoSession) {
			t.Fatal(err)
		}
	}
	slices.Sort(out)
	return out
}

func TestSSFApplier(t *testing.T) {
	from := &receiver.Transmitter{Name: "corp-idp", Issuer: "https://idp.example.com"}
	m := assurance.Receiving{ProviderOf: map[string]string{"corp-idp": "corp"},
		ProviderByIssuer: map[string]string{"https://idp.example.com": "corp", "https://partner.example": "partner"}}
	issSub := func(iss, sub string) set.Subject { return set.IssSub(iss, sub) }
	for _, tc := range []struct {
		name   string
		effect receiver.Effect
		alive  []string
		risky  []string // names whose level is above low afterwards
	}{
		{"iss_sub revokes that user's sessions", receiver.Effect{Action: receiver.ActionRevokeSessions, Subject: issSub("https://idp.example.com/", "sub-ada")},
			[]string{"bob", "partner-ada"}, nil},
		{"email names the transmitter's provider's user only", receiver.Effect{Action: receiver.ActionRevokeSessions, Subject: set.EmailSubject("ADA@example.com")},
			[]string{"bob", "partner-ada"}, nil},
		{"iss_sub of another configured issuer", receiver.Effect{Action: receiver.ActionRevokeSessions, Subject: issSub("https://partner.example", "p-ada")},
			[]string{"ada", "ada2", "bob"}, nil},
		{"provider session id ends only that session", receiver.Effect{Action: receiver.ActionRevokeSessions, Session: "op-1"},
			[]string{"ada2", "bob", "partner-ada"}, nil},
		{"session id and a user who does not own it: nothing", receiver.Effect{Action: receiver.ActionRevokeSessions, Session: "op-1", Subject: issSub("https://idp.example.com", "sub-bob")},
			[]string{"ada", "ada2", "bob", "partner-ada"}, nil},
		{"unknown user: accepted, nothing happens", receiver.Effect{Action: receiver.ActionRevokeSessions, Subject: set.EmailSubject("nobody@example.com")},
			[]string{"ada", "ada2", "bob", "partner-ada"}, nil},
		{"risk factor", receiver.Effect{Action: receiver.ActionRisk, Subject: issSub("https://idp.example.com", "sub-bob"), Kind: receiver.KindRiskLevel, Severity: 80, Reason: "the IdP rates bob high"},
			[]string{"ada", "ada2", "bob", "partner-ada"}, []string{"bob"}},
		{"aliases", receiver.Effect{Action: receiver.ActionRisk, Subject: set.Subject{Format: "aliases", Identifiers: []set.Subject{set.EmailSubject("bob@example.com"), issSub("https://idp.example.com", "sub-ada")}},
			Kind: receiver.KindRiskLevel, Severity: 45, Reason: "x"},
			[]string{"ada", "ada2", "bob", "partner-ada"}, []string{"ada", "bob"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			a := assurance.SSFApplier{S: e.svc, Map: m}
			st := &set.SET{ID: "jti-1", Event: set.CAEPSessionRevoked}
			if err := a.Apply(t.Context(), from, st, []receiver.Effect{tc.effect}); err != nil {
				t.Fatal(err)
			}
			if got := e.alive(t); !slices.Equal(got, tc.alive) {
				t.Errorf("alive %v, want %v", got, tc.alive)
			}
			var risky []string
			for _, name := range []string{"ada", "bob"} {
				if e.svc.Level(e.users[name], time.Now()) > risk.Low {
					risky = append(risky, name)
				}
			}
			if !slices.Equal(risky, tc.risky) {
				t.Errorf("risky %v, want %v", risky, tc.risky)
			}
			// The same SET applied again counts once.
			if err := a.Apply(t.Context(), from, st, []receiver.Effect{tc.effect}); err != nil {
				t.Fatal(err)
			}
			if tc.effect.Action == receiver.ActionRisk {
				fs, _ := e.db.RiskFactors(t.Context(), e.users["bob"])
				if len(fs) != 1 {
					t.Errorf("bob has %d factors after the SET twice, want 1", len(fs))
				}
			}
		})
	}
}

func TestRevokeScopesAndReasons(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rv    admin.Revocation
		alive []string
		n     int
		err   error
	}{
		{"session", admin.Revocation{Scope: admin.ScopeSession, Key: "$ada"}, []string{"ada2", "bob", "partner-ada"}, 1, nil},
		{"user", admin.Revocation{Scope: admin.ScopeUser, Key: "@ada"}, []string{"bob", "partner-ada"}, 2, nil},
		{"provider", admin.Revocation{Scope: admin.ScopeProvider, Key: "corp"}, []string{"partner-ada"}, 3, nil},
		{"unknown session", admin.Revocation{Scope: admin.ScopeSession, Key: "nope"}, []string{"ada", "ada2", "bob", "partner-ada"}, 0, admin.ErrNotFound},
		{"bad scope", admin.Revocation{Scope: "planet", Key: "x"}, []string{"ada", "ada2", "bob", "partner-ada"}, 0, admin.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			rv := tc.rv
			switch rv.Key {
			case "$ada":
				rv.Key = e.sids["ada"]
			case "@ada":
				rv.Key = e.users["ada"]
			}
			rv.Reason = "laptop reported stolen"
			n, err := e.svc.Revoke(t.Context(), rv)
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) || n != tc.n {
				t.Fatalf("Revoke = %d, %v; want %d, %v", n, err, tc.n, tc.err)
			}
			if got := e.alive(t); !slices.Equal(got, tc.alive) {
				t.Fatalf("alive %v, want %v", got, tc.alive)
			}
			if tc.err == nil {
				_, err := e.sessions.Lookup(t.Context(), e.cookies["ada"])
				var r *session.Revoked
				if !errors.As(err, &r) || r.Reason != "laptop reported stolen" {
					t.Errorf("ada's refusal %v, want the reason", err)
				}
			}
		})
	}
	// App revocation: sessions live on; the app sees when.
	e := newEnv(t)
	if _, err := e.svc.Revoke(t.Context(), admin.Revocation{Scope: admin.ScopeApp, Key: "wiki"}); err != nil {
		t.Fatal(err)
	}
	if at := e.svc.AppRevokedAt("wiki"); at.IsZero() || !e.svc.AppRevokedAt("other").IsZero() {
		t.Errorf("AppRevokedAt wiki %v other %v", at, e.svc.AppRevokedAt("other"))
	}
}

func TestRiskResetRaiseAndReverify(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ada := e.users["ada"]
	now := time.Now()
	if err := e.svc.AddFactor(ctx, store.RiskFactor{UserID: ada, Kind: risk.KindFarmDevice, Severity: 60, Reason: "farm",
		Source: "detector", At: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RaiseRisk(ctx, ada, admin.Raise{Severity: 30, Reason: "insider case 17", TTL: time.Hour, By: "admin:ops"}); err != nil {
		t.Fatal(err)
	}
	if l := e.svc.Level(ada, time.Now()); l != risk.High {
		t.Fatalf("level %v, want high (60+30)", l)
	}
	if !e.svc.StepUpHelps(ada, risk.High, time.Now()) {
		t.Error("a verification clears the farm (90 -> 30, low): StepUpHelps says it would not help")
	}
	if err := e.svc.Reverified(ctx, ada, time.Now()); err != nil {
		t.Fatal(err)
	}
	v, err := e.svc.Risk(ctx, ada)
	if err != nil {
		t.Fatal(err)
	}
	if v.Score != 30 || v.Level != "low" || len(v.Factors) != 2 || v.Factors[0].Kind != risk.KindAdmin {
		t.Fatalf("after re-verification: %+v, want the admin's factor alone", v)
	}
	// What an administrator raised, a verification does not answer.
	if _, err := e.svc.RaiseRisk(ctx, ada, admin.Raise{Severity: 50, Reason: "second case", TTL: time.Hour, By: "admin:ops"}); err != nil {
		t.Fatal(err)
	}
	if e.svc.StepUpHelps(ada, risk.High, time.Now()) {
		t.Error("80 points from administrators: a verification cannot help, but StepUpHelps says it can")
	}
	v, err = e.svc.ResetRisk(ctx, ada, "admin:ops", "case closed")
	if err != nil || v.Score != 0 {
		t.Fatalf("after reset: %+v, %v", v, err)
	}
	// A second replica's engine learns from the change feed.
	other := risk.NewEngine(risk.Thresholds{Medium: 40, High: 70})
	fs, _ := e.db.RiskFactors(ctx, ada)
	other.Replace(ada, fs)
	if other.Level(ada, time.Now()) != risk.Low {
		t.Error("replica view differs")
	}
}
