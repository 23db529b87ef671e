package authn

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/identity"
)

// oneSession is the signed-in user of the verify tests.
type oneSession struct {
	sid string
	id  identity.Identity
}

var _ Verifications = oneSession{}

func (s oneSession) Current(*http.Request) (string, *identity.Identity, error) {
	id := s.id
	return s.sid, &id, nil
}

func (oneSession) Record(context.Context, string, identity.Identity) error { return nil }

// stepUpTo sends every return URL to one verifier.
type stepUpTo string

func (v stepUpTo) StepUpFor(*http.Request, *url.URL, *identity.Identity) StepUp {
	return StepUp{Verifier: string(v), Level: "ial2"}
}

// hintLog is a HintMinter that records what it was asked for; the token
// names the session and audience so the test can see they were passed on.
type hintLog struct {
	mu    sync.Mutex
	calls []string
	err   error
}

var _ HintMinter = (*hintLog)(nil)

func (m *hintLog) MintHint(_ *http.Request, sid, aud string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, sid+" "+aud)
	if m.err != nil {
		return "", m.err
	}
	return "minted." + sid + "." + aud, nil
}

// verifyHandler is a Handler whose only verifier is the test OP with the
// given login_hint setting.
func verifyHandler(t *testing.T, loginHint string, minter HintMinter) (*Handler, *testOP) {
	t.Helper()
	now := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	op := newTestOP(t, now, jose.RS256)
	log := slog.New(slog.DiscardHandler)
	v, err := NewVerifier(context.Background(), config.Verifier{
		Name: "idv", Issuer: op.issuer(), ClientID: op.clientID, ClientSecret: config.Secret{Value: op.secret},
		ACRValues: []string{"urn:idv:ial2"}, LoginHint: loginHint,
	}, ProviderOptions{HTTPClient: op.srv.Client(), Now: now, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		PublicURL: "https://gw.example.com", Master: []byte(strings.Repeat("m", 32)),
		Sessions: &memSessions{sessions: map[string]memSession{}}, Revoker: &memSessions{sessions: map[string]memSession{}},
		Ledger:      &memLedger{used: map[string]time.Time{}},
		Apps:        appsFunc(func(*url.URL) []string { return nil }),
		HostAllowed: func(h string) bool { return h == "gw.example.com" },
		Verifiers:   []*Provider{v}, StepUps: stepUpTo("idv"),
		Verifications: oneSession{sid: "sess-1", id: identity.Identity{Subject: "u1", Email: "bob@example.com", Name: "Bob Brown"}},
		HintMinter:    minter, Now: now, Logger: log,
	}
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return h, op
}

func TestVerifyLoginHint(t *testing.T) {
	cases := []struct {
		name      string
		loginHint string
		mintErr   error
		wantHint  string // login_hint at the verifier; "" when the redirect must not happen
		wantCalls int
		reason    string
	}{
		{name: "email by default", loginHint: "", wantHint: "bob@example.com"},
		{name: "email", loginHint: config.LoginHintEmail, wantHint: "bob@example.com"},
		{name: "assertion", loginHint: config.LoginHintAssertion, wantHint: "minted.sess-1.", wantCalls: 1},
		{name: "assertion cannot be minted", loginHint: config.LoginHintAssertion, mintErr: errors.New("no current signing key"),
			wantCalls: 1, reason: ReasonVerificationHintFailed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := &hintLog{err: tc.mintErr}
			h, op := verifyHandler(t, tc.loginHint, m)
			if tc.wantHint == "minted.sess-1." {
				tc.wantHint += op.issuer()
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://gw.example.com"+PathVerify+"?rd=/wiki/", nil))
			if len(m.calls) != tc.wantCalls {
				t.Fatalf("minter called %d times (%q), want %d", len(m.calls), m.calls, tc.wantCalls)
			}
			if tc.wantCalls > 0 && m.calls[0] != "sess-1 "+op.issuer() {
				t.Errorf("minted for %q, want the session and the verifier's issuer %q", m.calls[0], op.issuer())
			}
			if tc.reason != "" {
				body, _ := io.ReadAll(rec.Body)
				if rec.Code != http.StatusServiceUnavailable || !strings.Contains(string(body), tc.reason) {
					t.Fatalf("HTTP %d, want 503 with %s:\n%s", rec.Code, tc.reason, body)
				}
				if loc := rec.Header().Get("Location"); loc != "" {
					t.Fatalf("redirected to %s although the hint could not be minted", loc)
				}
				return
			}
			if rec.Code != http.StatusSeeOther && rec.Code != http.StatusFound {
				t.Fatalf("HTTP %d, want a redirect to the verifier", rec.Code)
			}
			loc, err := url.Parse(rec.Header().Get("Location"))
			if err != nil || !strings.HasPrefix(loc.String(), op.issuer()+"/authorize?") {
				t.Fatalf("redirect to %q, want the verifier's authorization endpoint", rec.Header().Get("Location"))
			}
			if got := loc.Query().Get("login_hint"); got != tc.wantHint {
				t.Errorf("login_hint %q, want %q", got, tc.wantHint)
			}
		})
	}
}

func TestAssertionHintNeedsMinter(t *testing.T) {
	now := time.Now
	op := newTestOP(t, now, jose.RS256)
	v, err := NewVerifier(context.Background(), config.Verifier{Name: "idv", Issuer: op.issuer(), ClientID: op.clientID,
		LoginHint: config.LoginHintAssertion}, ProviderOptions{HTTPClient: op.srv.Client(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Options{
		PublicURL: "https://gw.example.com", Master: []byte(strings.Repeat("m", 32)),
		Sessions: &memSessions{}, Revoker: &memSessions{}, Ledger: &memLedger{},
		Apps: appsFunc(func(*url.URL) []string { return nil }), HostAllowed: func(string) bool { return true },
		Verifiers: []*Provider{v}, StepUps: stepUpTo("idv"), Verifications: oneSession{},
	})
	if err == nil || !strings.Contains(err.Error(), "HintMinter") {
		t.Fatalf("New without a HintMinter: err %v, want it refused", err)
	}
	if _, err := NewVerifier(context.Background(), config.Verifier{Name: "idv", Issuer: op.issuer(), ClientID: op.clientID,
		LoginHint: "id_token"}, ProviderOptions{HTTPClient: op.srv.Client(), Now: now}); err == nil {
		t.Fatal("NewVerifier accepted login_hint id_token")
	}
}
