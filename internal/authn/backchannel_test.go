package authn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/store"
)

// memBackchannel holds sessions in memory and records what was ended.
type memBackchannel struct {
	mu       sync.Mutex
	sessions []store.Session
	logged   []BackchannelLogout
}

var _ BackchannelSessions = (*memBackchannel)(nil)

func (m *memBackchannel) SessionsBySID(_ context.Context, provider, sid string) ([]store.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Session
	for _, s := range m.sessions {
		if s.Provider == provider && s.SID == sid {
			out = append(out, s)
		}
	}
	return out, nil
}

func (m *memBackchannel) Revoke(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions = slices.DeleteFunc(m.sessions, func(s store.Session) bool { return s.ID == id })
	return nil
}

func (m *memBackchannel) RevokeUser(_ context.Context, userID string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.sessions)
	m.sessions = slices.DeleteFunc(m.sessions, func(s store.Session) bool { return s.UserID == userID })
	return n - len(m.sessions), nil
}

func (m *memBackchannel) LoggedOut(_ context.Context, ev BackchannelLogout) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.logged = append(m.logged, ev)
}

// reset restores the four sessions every case starts from: s1 and s2 of
// user-123 at "op" (OP sessions 1 and 2), s3 of user-456 in OP session 1,
// and s4 of user-123 at another provider that reuses sid 1.
func (m *memBackchannel) reset() {
	mk := func(id, provider, sub, sid string) store.Session {
		return store.Session{ID: id, Provider: provider, UserID: session.UserID(provider, sub), SID: sid,
			Identity: identity.Identity{Provider: provider, Subject: sub}}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions = []store.Session{mk("s1", "op", "user-123", "sid-1"), mk("s2", "op", "user-123", "sid-2"),
		mk("s3", "op", "user-456", "sid-1"), mk("s4", "other", "user-123", "sid-1")}
	m.logged = nil
}

func (m *memBackchannel) live() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for _, s := range m.sessions {
		ids = append(ids, s.ID)
	}
	return ids
}

// bcEnv is a Handler with back-channel logout, the provider "op" and the
// verifier "op" (same name, other namespace) behind two test OPs.
type bcEnv struct {
	clock    *fakeClock
	op, idv  *testOP
	h        *Handler
	bc       *memBackchannel
	ledger   *memLedger
	mu       sync.Mutex
	failures []string
}

func newBCEnv(tb testing.TB) *bcEnv {
	tb.Helper()
	e := &bcEnv{clock: &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}, bc: &memBackchannel{},
		ledger: &memLedger{used: map[string]time.Time{}}}
	e.bc.reset()
	e.op = newTestOP(tb, e.clock.Now, jose.ES256)
	e.idv = newTestOP(tb, e.clock.Now, jose.ES256)
	popts := ProviderOptions{HTTPClient: e.op.srv.Client(), Now: e.clock.Now}
	prov, err := NewProvider(context.Background(), config.Provider{Name: "op", Issuer: e.op.issuer(),
		ClientID: e.op.clientID, ClientSecret: config.Secret{Value: e.op.secret}}, popts)
	if err != nil {
		tb.Fatal(err)
	}
	ver, err := NewVerifier(context.Background(), config.Verifier{Name: "op", Issuer: e.idv.issuer(),
		ClientID: e.idv.clientID, ClientSecret: config.Secret{Value: e.idv.secret}}, popts)
	if err != nil {
		tb.Fatal(err)
	}
	e.h, err = New(Options{
		PublicURL: "https://gw.example", Master: []byte(strings.Repeat("m", 32)),
		Providers: []*Provider{prov}, Verifiers: []*Provider{ver}, Backchannel: e.bc,
		Sessions: &memSessions{}, Revoker: &memSessions{}, Ledger: e.ledger,
		Apps: appsFunc(func(*url.URL) []string { return nil }), HostAllowed: func(string) bool { return false },
		OnLoginFailure: func(p, reason string) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.failures = append(e.failures, p+"/"+reason)
		},
		Now: e.clock.Now, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// claims are a valid logout token's claims from op, naming sid-1.
func (e *bcEnv) claims() map[string]any {
	now := e.clock.Now()
	return map[string]any{"iss": e.op.issuer(), "aud": e.op.clientID, "iat": now.Unix(),
		"exp": now.Add(2 * time.Minute).Unix(), "jti": randomHex(e.op.t), "sid": "sid-1",
		"events": map[string]any{backchannelEvent: map[string]any{}}}
}

// signLogout signs claims with k, naming kid and typ in the header ("" omits).
func signLogout(tb testing.TB, k testKey, kid, typ string, claims map[string]any) string {
	tb.Helper()
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.priv}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

func (e *bcEnv) post(body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "https://gw.example"+PathBackchannelLogout, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

func (e *bcEnv) postToken(tok string) *httptest.ResponseRecorder {
	return e.post(url.Values{"logout_token": {tok}}.Encode())
}

func TestBackchannelLogoutEndsSessions(t *testing.T) {
	e := newBCEnv(t)
	uid := func(sub string) string { return session.UserID("op", sub) }
	tests := []struct {
		name   string
		edit   func(c map[string]any)
		typ    string
		live   []string
		logged []BackchannelLogout
	}{
		{"by sid", nil, "logout+jwt", []string{"s2", "s4"}, []BackchannelLogout{
			{Provider: "op", UserID: uid("user-123"), Sessions: []string{"s1"}, Count: 1},
			{Provider: "op", UserID: uid("user-456"), Sessions: []string{"s3"}, Count: 1}}},
		{"by sub", func(c map[string]any) { delete(c, "sid"); c["sub"] = "user-123" }, "logout+jwt",
			[]string{"s3", "s4"}, []BackchannelLogout{{Provider: "op", UserID: uid("user-123"), Count: 2}}},
		{"by sid and sub", func(c map[string]any) { c["sub"] = "user-123" }, "logout+jwt",
			[]string{"s2", "s3", "s4"}, []BackchannelLogout{{Provider: "op", UserID: uid("user-123"), Sessions: []string{"s1"}, Count: 1}}},
		{"no session matches", func(c map[string]any) { c["sid"] = "sid-9"; c["sub"] = "user-123" }, "",
			[]string{"s1", "s2", "s3", "s4"}, []BackchannelLogout{{Provider: "op", UserID: uid("user-123")}}},
		{"typ JWT, no exp, aud list", func(c map[string]any) {
			c["sub"] = "user-123"
			c["aud"] = []string{"someone", e.op.clientID}
			delete(c, "exp")
		}, "JWT", []string{"s2", "s3", "s4"}, []BackchannelLogout{{Provider: "op", UserID: uid("user-123"), Sessions: []string{"s1"}, Count: 1}}},
		{"media type, event with members", func(c map[string]any) {
			c["events"] = map[string]any{backchannelEvent: map[string]any{"x": 1}, "urn:other": true}
		}, "application/logout+jwt", []string{"s2", "s4"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.bc.reset()
			c := e.claims()
			if tc.edit != nil {
				tc.edit(c)
			}
			rec := e.postToken(signLogout(t, e.op.signer, e.op.signer.kid, tc.typ, c))
			if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("HTTP %d, Cache-Control %q: %s", rec.Code, rec.Header().Get("Cache-Control"), rec.Body)
			}
			if got := e.bc.live(); !slices.Equal(got, tc.live) {
				t.Errorf("sessions left %v, want %v", got, tc.live)
			}
			if tc.logged != nil && !slices.EqualFunc(e.bc.logged, tc.logged, func(a, b BackchannelLogout) bool {
				return a.Provider == b.Provider && a.UserID == b.UserID && a.Count == b.Count && slices.Equal(a.Sessions, b.Sessions)
			}) {
				t.Errorf("logged %+v, want %+v", e.bc.logged, tc.logged)
			}
		})
	}
}

// TestBackchannelVerifierEndsNothing: a verifier's sessions are not
// gateway sessions, even when it shares the provider's name.
func TestBackchannelVerifierEndsNothing(t *testing.T) {
	e := newBCEnv(t)
	c := e.claims()
	c["iss"], c["aud"], c["sub"] = e.idv.issuer(), e.idv.clientID, "user-123"
	rec := e.postToken(signLogout(t, e.idv.signer, e.idv.signer.kid, "logout+jwt", c))
	if rec.Code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
	}
	if got := e.bc.live(); len(got) != 4 {
		t.Fatalf("a verifier's logout ended sessions: %v left", got)
	}
	if len(e.bc.logged) != 1 || e.bc.logged[0].Count != 0 || e.bc.logged[0].UserID != "" {
		t.Fatalf("logged %+v, want one record with nothing ended", e.bc.logged)
	}
	// The provider's key does not sign for the verifier.
	c["jti"] = "other"
	if rec := e.postToken(signLogout(t, e.op.signer, e.idv.signer.kid, "", c)); rec.Code != http.StatusBadRequest {
		t.Fatalf("verifier token signed by the provider's key: HTTP %d", rec.Code)
	}
}

func TestBackchannelLogoutRefusals(t *testing.T) {
	e := newBCEnv(t)
	other := newTestKey(t, "k1", jose.ES256) // same kid, key the OP never published
	unsigned := func(hdr string, c map[string]any) string {
		p, _ := json.Marshal(c)
		return base64.RawURLEncoding.EncodeToString([]byte(hdr)) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
	}
	hs256 := func(c map[string]any) string {
		// The classic confusion: the client secret as an HMAC key.
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(strings.Repeat(e.op.secret, 6))},
			(&jose.SignerOptions{}).WithHeader("kid", "k1"))
		if err != nil {
			t.Fatal(err)
		}
		p, _ := json.Marshal(c)
		jws, err := s.Sign(p)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := jws.CompactSerialize()
		return raw
	}
	ago := func(d time.Duration) int64 { return e.clock.Now().Add(-d).Unix() }
	tests := []struct {
		name, reason string
		tok          func(c map[string]any) string // nil: signed by the OP after edit
		edit         func(c map[string]any)
		typ          string
	}{
		{"bad signature", ReasonLogoutTokenBadSignature, func(c map[string]any) string { return signLogout(t, other, "k1", "", c) }, nil, ""},
		{"unknown key", ReasonLogoutTokenUnknownKey, func(c map[string]any) string { return signLogout(t, other, "k9", "", c) }, nil, ""},
		{"alg none", ReasonLogoutTokenAlgNotAllowed, func(c map[string]any) string { return unsigned(`{"alg":"none"}`, c) }, nil, ""},
		{"alg HS256", ReasonLogoutTokenAlgNotAllowed, hs256, nil, ""},
		{"wrong iss", ReasonLogoutTokenIssuerUnknown, nil, func(c map[string]any) { c["iss"] = "https://evil.example" }, ""},
		{"wrong aud", ReasonLogoutTokenAudience, nil, func(c map[string]any) { c["aud"] = []string{"someone-else"} }, ""},
		{"nonce present", ReasonLogoutTokenNonce, nil, func(c map[string]any) { c["nonce"] = "n-1" }, ""},
		{"nonce null", ReasonLogoutTokenNonce, nil, func(c map[string]any) { c["nonce"] = nil }, ""},
		{"no events", ReasonLogoutTokenEventMissing, nil, func(c map[string]any) { delete(c, "events") }, ""},
		{"events without the event", ReasonLogoutTokenEventMissing, nil, func(c map[string]any) { c["events"] = map[string]any{"urn:x": map[string]any{}} }, ""},
		{"events as array", ReasonLogoutTokenEventMissing, nil, func(c map[string]any) { c["events"] = []string{backchannelEvent} }, ""},
		{"event value a string", ReasonLogoutTokenEventInvalid, nil, func(c map[string]any) { c["events"] = map[string]any{backchannelEvent: "yes"} }, ""},
		{"event value null", ReasonLogoutTokenEventInvalid, nil, func(c map[string]any) { c["events"] = map[string]any{backchannelEvent: nil} }, ""},
		{"event value an array", ReasonLogoutTokenEventInvalid, nil, func(c map[string]any) { c["events"] = map[string]any{backchannelEvent: []int{}} }, ""},
		{"no sub or sid", ReasonLogoutTokenSubjectMissing, nil, func(c map[string]any) { delete(c, "sid"); delete(c, "sub") }, ""},
		{"empty sub and sid", ReasonLogoutTokenSubjectMissing, nil, func(c map[string]any) { c["sid"], c["sub"] = "", "" }, ""},
		{"no jti", ReasonLogoutTokenJTIInvalid, nil, func(c map[string]any) { delete(c, "jti") }, ""},
		{"expired", ReasonLogoutTokenExpired, nil, func(c map[string]any) { c["iat"], c["exp"] = ago(5*time.Minute), ago(2*time.Minute) }, ""},
		{"no iat", ReasonLogoutTokenIATInvalid, nil, func(c map[string]any) { delete(c, "iat") }, ""},
		{"iat in the future", ReasonLogoutTokenIATInvalid, nil, func(c map[string]any) { c["iat"] = ago(-10 * time.Minute) }, ""},
		{"iat too old", ReasonLogoutTokenIATInvalid, nil, func(c map[string]any) { c["iat"], c["exp"] = ago(30*time.Minute), ago(-time.Hour) }, ""},
		{"not yet valid", ReasonLogoutTokenNotYetValid, nil, func(c map[string]any) { c["nbf"] = ago(-10 * time.Minute) }, ""},
		{"typ at+jwt", ReasonLogoutTokenType, nil, nil, "at+jwt"},
		{"typ secevent+jwt", ReasonLogoutTokenType, nil, nil, "secevent+jwt"},
		{"not a JWT", ReasonLogoutTokenMalformed, func(map[string]any) string { return "not-a-jwt" }, nil, ""},
		{"JWE", ReasonLogoutTokenMalformed, func(map[string]any) string { return "a.b.c.d.e" }, nil, ""},
		{"claims not JSON", ReasonLogoutTokenMalformed, func(map[string]any) string { return "eyJhbGciOiJFUzI1NiJ9.bm9wZQ.c2ln" }, nil, ""},
		{"sub not a string", ReasonLogoutTokenMalformed, nil, func(c map[string]any) { c["sub"] = 42 }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.bc.reset()
			c := e.claims()
			c["sub"] = "user-123" // so that a wrongly accepted token would end s1 and s2 at least
			if tc.edit != nil {
				tc.edit(c)
			}
			tok := signLogout(t, e.op.signer, e.op.signer.kid, tc.typ, c)
			if tc.tok != nil {
				tok = tc.tok(c)
			}
			e.expectRefused(t, e.postToken(tok), tc.reason)
		})
	}
}

// expectRefused checks a 400 with the OAuth error body and nothing ended.
func (e *bcEnv) expectRefused(t *testing.T, rec *httptest.ResponseRecorder, reason string) {
	t.Helper()
	var body struct{ Error, Error_description string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusBadRequest ||
		body.Error != "invalid_request" || body.Error_description != reason {
		t.Fatalf("HTTP %d %s, want 400 invalid_request %s", rec.Code, rec.Body, reason)
	}
	if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", rec.Header())
	}
	if got := e.bc.live(); len(got) != 4 || len(e.bc.logged) != 0 {
		t.Fatalf("a refused token ended sessions: %v left, logged %+v", got, e.bc.logged)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if n := len(e.failures); n == 0 || !strings.HasSuffix(e.failures[n-1], "/"+reason) {
		t.Errorf("failures %v, want the last to be %s", e.failures, reason)
	}
}

func TestBackchannelLogoutRequest(t *testing.T) {
	e := newBCEnv(t)
	tok := signLogout(t, e.op.signer, e.op.signer.kid, "logout+jwt", e.claims())
	e.expectRefused(t, e.post(""), ReasonLogoutTokenMissing)
	e.expectRefused(t, e.post("logout_token="), ReasonLogoutTokenMissing)
	e.expectRefused(t, e.post("logout_token="+tok+"&logout_token="+tok), ReasonLogoutTokenMalformed)
	e.expectRefused(t, e.post("logout_token="+strings.Repeat("a", maxBackchannelBody)), ReasonLogoutTokenMalformed)
	e.expectRefused(t, e.post("logout_token=%zz"), ReasonLogoutTokenMalformed)

	// The first delivery ends the sessions; a replay ends nothing.
	if rec := e.postToken(tok); rec.Code != http.StatusOK {
		t.Fatalf("first delivery: HTTP %d %s", rec.Code, rec.Body)
	}
	e.bc.reset()
	e.expectRefused(t, e.postToken(tok), ReasonLogoutTokenReplayed)

	// POST only; a GET is 405 and ends nothing.
	req := httptest.NewRequest(http.MethodGet, "https://gw.example"+PathBackchannelLogout+"?logout_token="+tok, nil)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed || len(e.bc.live()) != 4 {
		t.Fatalf("GET: HTTP %d, sessions %v", rec.Code, e.bc.live())
	}
}

// FuzzBackchannel posts arbitrary bodies: never a panic, only 200 or 400,
// and sessions end only with a 200.
func FuzzBackchannel(f *testing.F) {
	e := newBCEnv(f)
	for _, edit := range []func(map[string]any){nil,
		func(c map[string]any) { delete(c, "sid"); c["sub"] = "user-123" },
		func(c map[string]any) { c["sub"] = "user-456"; delete(c, "exp") },
		func(c map[string]any) { c["nonce"] = "x" },
	} {
		c := e.claims()
		if edit != nil {
			edit(c)
		}
		f.Add([]byte("logout_token=" + signLogout(f, e.op.signer, e.op.signer.kid, "logout+jwt", c)))
	}
	for _, s := range []string{"", "logout_token=", "logout_token=a.b.c", "logout_token=a.b.c.d.e", "x=1&logout_token=%00",
		"logout_token=eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0."} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e.bc.reset()
		e.ledger.mu.Lock()
		clear(e.ledger.used)
		e.ledger.mu.Unlock()
		rec := e.post(string(body))
		switch {
		case rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest:
			t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
		case rec.Code != http.StatusOK && (len(e.bc.live()) != 4 || len(e.bc.logged) != 0):
			t.Fatalf("HTTP %d but sessions ended", rec.Code)
		case rec.Header().Get("Cache-Control") != "no-store":
			t.Fatal("no Cache-Control: no-store")
		}
		_, _ = io.Copy(io.Discard, rec.Body)
	})
}
