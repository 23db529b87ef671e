package assertion

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
)

// verify checks tok against the signer's published keys and returns the
// header and claims.
func verify(t *testing.T, s *Signer, tok string) (jose.Header, claims) {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(s.state.Load().jwks, &set); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	h := jws.Signatures[0].Header
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not published", h.KeyID)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return h, c
}

func TestMintClaims(t *testing.T) {
	clk := &fakeClock{t: testStart}
	s := newTestSigner(t, &memKeyStore{}, clk)
	sess := testSession(clk.Now())
	tok, err := s.Mint(sess, "wiki", clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	h, c := verify(t, s, tok)
	if h.ExtraHeaders[jose.HeaderType] != tokenType || h.Algorithm != "ES256" || h.KeyID != currentKID(s) {
		t.Fatalf("header = %+v", h)
	}
	now := clk.Now().Unix()
	want := claims{
		Issuer: "https://gw.example.com", Audience: "wiki", Subject: "user-42", IdP: "okta", IdPSubject: "00u1",
		Email: "ada@example.com", Name: "Ada Lovelace", Groups: []string{"eng", "admins"},
		AMR: []string{"pwd", "otp"}, ACR: "urn:vigil:aal2", AuthTime: now - 600, SessionID: "sess-1",
		IssuedAt: now, NotBefore: now, Expiry: now + 300, ID: c.ID,
	}
	if fmt.Sprint(c) != fmt.Sprint(want) || len(c.ID) < 20 {
		t.Fatalf("claims\n got %+v\nwant %+v", c, want)
	}
	// The session expiring first caps exp.
	sess.ID, sess.ExpiresAt = "sess-2", clk.Now().Add(time.Minute)
	tok, _ = s.Mint(sess, "wiki", clk.Now())
	if _, c := verify(t, s, tok); c.Expiry != now+60 {
		t.Fatalf("exp = %d, want session expiry %d", c.Expiry, now+60)
	}
}

func TestMintVerified(t *testing.T) {
	clk := &fakeClock{t: testStart}
	s := newTestSigner(t, &memKeyStore{}, clk)
	sess := testSession(clk.Now())
	at := clk.Now().Add(-time.Hour)
	sess.Identity.Verification = &identity.Verification{
		Provider: "idv", Subject: "v-9", TrustFramework: "nist_800_63A", Level: "ial2",
		ACR: "urn:idv:ial2", VerifiedAt: at, AuthTime: at,
	}
	tok, err := s.Mint(sess, "wiki", clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, c := verify(t, s, tok)
	want := verified{Level: "ial2", TrustFramework: "nist_800_63A", VerifiedAt: at.Unix(), ACR: "urn:idv:ial2", IdP: "idv"}
	if c.Verified == nil || *c.Verified != want {
		t.Fatalf("verified = %+v, want %+v", c.Verified, want)
	}
}

func TestMintErrors(t *testing.T) {
	clk := &fakeClock{t: testStart}
	s := newTestSigner(t, &memKeyStore{}, clk)
	tests := []struct {
		name string
		sess func() *store.Session
		app  string
		at   time.Duration
		want string
	}{
		{"nil session", func() *store.Session { return nil }, "wiki", 0, "session"},
		{"no session id", func() *store.Session { s := testSession(testStart); s.ID = ""; return s }, "wiki", 0, "session"},
		{"no user", func() *store.Session { s := testSession(testStart); s.UserID = ""; return s }, "wiki", 0, "user"},
		{"no app", func() *store.Session { return testSession(testStart) }, "", 0, "app"},
		{"session expired", func() *store.Session { return testSession(testStart) }, "wiki", 13 * time.Hour, "expired"},
		{"key not refreshed", func() *store.Session {
			s := testSession(testStart)
			s.ExpiresAt = testStart.Add(100 * time.Hour)
			return s
		}, "wiki", 48 * time.Hour, "signing key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Mint(tt.sess(), tt.app, testStart.Add(tt.at))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestMintCache(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: testStart}
	s := newTestSigner(t, &memKeyStore{}, clk)
	sess := testSession(clk.Now())
	first, _ := s.Mint(sess, "wiki", clk.Now())
	mint := func(edit func()) string {
		t.Helper()
		if edit != nil {
			edit()
		}
		tok, err := s.Mint(sess, "wiki", clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	// reuseMargin(5m) = 75s: reused until 225s after minting.
	if tok := mint(func() { clk.Add(224 * time.Second) }); tok != first {
		t.Fatal("not reused within its margin")
	}
	second := mint(func() { clk.Add(time.Second) })
	if second == first {
		t.Fatal("reused with less than the margin left")
	}
	if other, _ := s.Mint(sess, "crm", clk.Now()); other == second {
		t.Fatal("token shared between apps")
	}
	steps := []struct {
		name string
		edit func()
	}{
		{"forget", func() { s.Forget(sess.ID) }},
		{"step-up acr", func() { sess.Identity.ACR = "urn:vigil:ial2" }},
		{"step-up auth_time", func() { sess.Identity.AuthTime = clk.Now() }},
		{"verification recorded", func() {
			sess.Identity.Verification = &identity.Verification{Provider: "idv", Level: "ial2", TrustFramework: "nist_800_63A"}
		}},
		{"rotation", func() {
			_ = s.Rotate(ctx)
			clk.Add(DefaultPublishAhead)
			_ = s.Refresh(ctx)
		}},
	}
	prev := second
	for _, st := range steps {
		kid := currentKID(s)
		tok := mint(st.edit)
		if tok == prev {
			t.Fatalf("%s: cached token served", st.name)
		}
		if h, _ := verify(t, s, tok); h.KeyID != currentKID(s) {
			t.Fatalf("%s: signed by %q, current %q (was %q)", st.name, h.KeyID, currentKID(s), kid)
		}
		if again := mint(nil); again != tok {
			t.Fatalf("%s: fresh token not cached", st.name)
		}
		prev = tok
	}
}

func TestReuseMargin(t *testing.T) {
	for _, tt := range []struct{ ttl, want time.Duration }{
		{5 * time.Minute, 75 * time.Second},
		{2 * time.Minute, time.Minute},
		{30 * time.Second, 15 * time.Second},
		{time.Hour, 15 * time.Minute},
	} {
		if got := reuseMargin(tt.ttl); got != tt.want {
			t.Errorf("reuseMargin(%s) = %s, want %s", tt.ttl, got, tt.want)
		}
	}
}

func TestCacheBounded(t *testing.T) {
	clk := &fakeClock{t: testStart}
	s := newTestSigner(t, &memKeyStore{}, clk, func(c *Config) { c.CacheSize = 64 })
	sess := testSession(clk.Now())
	for i := range 1000 {
		sess.ID = fmt.Sprintf("s%d", i)
		if _, err := s.Mint(sess, "wiki", clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.cache.len(); n > 64 || n == 0 {
		t.Fatalf("cache holds %d tokens, bound 64", n)
	}
}

func TestMintConcurrent(t *testing.T) {
	clk := &fakeClock{t: testStart}
	s := newTestSigner(t, &memKeyStore{}, clk, func(c *Config) { c.CacheSize = 32 })
	var wg sync.WaitGroup
	apps := []string{"a", "b", "c"}
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				sess := testSession(testStart)
				sess.ID = fmt.Sprintf("s%d", (g*7+i)%20)
				if _, err := s.Mint(sess, apps[i%3], clk.Now()); err != nil {
					t.Error(err)
					return
				}
				if i%17 == 0 {
					s.Forget(sess.ID)
				}
				if g == 0 && i%50 == 0 {
					_ = s.Refresh(context.Background())
				}
			}
		})
	}
	wg.Wait()
	if n := s.cache.len(); n < 0 || n > 32 {
		t.Fatalf("cache count %d", n)
	}
}
