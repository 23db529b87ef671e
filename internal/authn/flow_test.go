package authn

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func TestLoginHappyPath(t *testing.T) {
	for _, alg := range []jose.SignatureAlgorithm{jose.ES256, jose.RS256} {
		t.Run(string(alg), func(t *testing.T) {
			e := newEnv(t, alg, nil)
			cb := e.toCallback("/app/page?x=1")
			if len(e.cookies(PathCallback)) != 1 {
				t.Fatalf("want one login cookie on %s, got %d", PathCallback, len(e.cookies(PathCallback)))
			}
			resp, body := e.get(cb)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/app/page?x=1" {
				t.Fatalf("callback: status %d location %q body %s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
			if len(e.cookies(PathCallback)) != 1 || e.cookies(PathCallback)[0].Name != "vigil_session" {
				t.Fatalf("login cookie not cleared or session cookie missing: %v", e.cookies(PathCallback))
			}
			if e.sessions.count() != 1 {
				t.Fatalf("sessions created: %d", e.sessions.count())
			}
			id := e.sessions.created[0]
			if id.Subject != "user-123" || id.Provider != "op" || id.Issuer != e.op.issuer() ||
				id.Email != "alice@example.com" || !id.EmailVerified || id.Name != "Alice Example" ||
				!slices.Equal(id.Groups, []string{"eng", "admins"}) || !slices.Equal(id.AMR, []string{"pwd", "otp"}) ||
				id.ACR != "urn:test:aal2" || !id.AuthTime.Equal(e.clock.Now().Add(-time.Minute)) || id.Claims["sid"] != "op-session-1" {
				t.Fatalf("identity: %+v", id)
			}
			req := e.op.authReqs[0]
			if req.Method != "S256" || len(req.Nonce) < 43 || len(req.State) < 43 || !strings.Contains(req.Scope, "openid") {
				t.Fatalf("authorization request: %+v", req)
			}
			if got := e.lastFailure(); got != "" {
				t.Fatalf("unexpected failure %s", got)
			}
		})
	}
}

// TestAttacksRejected: each crafted attack is refused with its own reason.
func TestAttacksRejected(t *testing.T) {
	// ghost is a key the OP never publishes.
	ghost := newTestKey(t, "ghost", jose.ES256)
	b64 := func(v string) string { return base64.RawURLEncoding.EncodeToString([]byte(v)) }
	claimsJSON := func(s *tokenSpec) string {
		b, _ := json.Marshal(s.Claims)
		return b64(string(b))
	}
	cases := []struct {
		name   string
		tweak  func(op *testOP, s *tokenSpec)
		replay bool
		reason string
	}{
		{name: "bad signature", reason: ReasonIDTokenBadSignature,
			tweak: func(op *testOP, s *tokenSpec) { s.Key = ghost /* kid stays the OP's */ }},
		{name: "alg none", reason: ReasonIDTokenAlgNotAllowed, tweak: func(op *testOP, s *tokenSpec) {
			s.Raw = b64(`{"alg":"none","kid":"k1"}`) + "." + claimsJSON(s) + "."
		}},
		{name: "HS256 keyed with the public key", reason: ReasonIDTokenAlgNotAllowed, tweak: func(op *testOP, s *tokenSpec) {
			der, _ := x509.MarshalPKIXPublicKey(op.signer.priv.Public())
			secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
			signing := b64(`{"alg":"HS256","kid":"k1","typ":"JWT"}`) + "." + claimsJSON(s)
			mac := hmac.New(sha256.New, secret)
			mac.Write([]byte(signing))
			s.Raw = signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
		}},
		{name: "wrong iss", reason: ReasonIDTokenIssuerMismatch,
			tweak: func(op *testOP, s *tokenSpec) { s.Claims["iss"] = "https://evil.example" }},
		{name: "wrong aud", reason: ReasonIDTokenAudienceMismatch,
			tweak: func(op *testOP, s *tokenSpec) { s.Claims["aud"] = "another-client" }},
		{name: "azp mismatch", reason: ReasonIDTokenAZPMismatch, tweak: func(op *testOP, s *tokenSpec) {
			s.Claims["aud"] = []string{op.clientID, "another-client"}
			s.Claims["azp"] = "another-client"
		}},
		{name: "several audiences without azp", reason: ReasonIDTokenAZPMissing,
			tweak: func(op *testOP, s *tokenSpec) { s.Claims["aud"] = []string{op.clientID, "another-client"} }},
		{name: "expired", reason: ReasonIDTokenExpired,
			tweak: func(op *testOP, s *tokenSpec) { s.Claims["exp"] = op.now().Add(-2 * time.Minute).Unix() }},
		{name: "no exp", reason: ReasonIDTokenExpired,
			tweak: func(op *testOP, s *tokenSpec) { delete(s.Claims, "exp") }},
		{name: "iat in the future", reason: ReasonIDTokenIssuedInFuture,
			tweak: func(op *testOP, s *tokenSpec) { s.Claims["iat"] = op.now().Add(3 * time.Minute).Unix() }},
		{name: "iat absurdly old", reason: ReasonIDTokenTooOld, tweak: func(op *testOP, s *tokenSpec) {
			s.Claims["iat"] = op.now().Add(-48 * time.Hour).Unix()
		}},
		{name: "no iat", reason: ReasonIDTokenIATMissing, tweak: func(op *testOP, s *tokenSpec) { delete(s.Claims, "iat") }},
		{name: "nbf in the future", reason: ReasonIDTokenNotYetValid,
			tweak: func(op *testOP, s *tokenSpec) { s.Claims["nbf"] = op.now().Add(3 * time.Minute).Unix() }},
		{name: "missing nonce", reason: ReasonNonceMissing, tweak: func(op *testOP, s *tokenSpec) { delete(s.Claims, "nonce") }},
		{name: "wrong nonce", reason: ReasonNonceMismatch,
			tweak: func(op *testOP, s *tokenSpec) { s.Claims["nonce"] = "attacker-chosen-nonce" }},
		{name: "unknown kid after JWKS refresh", reason: ReasonIDTokenUnknownKey,
			tweak: func(op *testOP, s *tokenSpec) { s.Key, s.Kid = ghost, ghost.kid }},
		{name: "missing sub", reason: ReasonIDTokenSubMissing, tweak: func(op *testOP, s *tokenSpec) { delete(s.Claims, "sub") }},
		{name: "at_hash mismatch", reason: ReasonIDTokenAtHashMismatch,
			tweak: func(op *testOP, s *tokenSpec) { s.Claims["at_hash"] = "AAAAAAAAAAAAAAAAAAAAAA" }},
		{name: "not a JWS", reason: ReasonIDTokenMalformed, tweak: func(op *testOP, s *tokenSpec) { s.Raw = "a.b.c.d.e" }},
		{name: "replayed state", replay: true, reason: ReasonStateReplayed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, jose.ES256, func(op *testOP) { op.tweak = tc.tweak })
			cb := e.toCallback("/app/")
			if tc.replay {
				saved := e.cookies(PathCallback)
				if resp, _ := e.get(cb); resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("first use: status %d", resp.StatusCode)
				}
				pu, _ := url.Parse(e.gw.URL + PathCallback)
				e.jar.SetCookies(pu, saved) // the attacker replays URL and login cookie
			}
			hitsBefore := e.op.jwksHits.Load()
			resp, body := e.get(cb)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", resp.StatusCode, body)
			}
			if !strings.Contains(body, tc.reason) || e.lastFailure() != "op/"+tc.reason {
				t.Fatalf("want reason %s, got failure %q", tc.reason, e.lastFailure())
			}
			wantSessions := 0
			if tc.replay {
				wantSessions = 1
			}
			if e.sessions.count() != wantSessions {
				t.Fatalf("sessions created: %d", e.sessions.count())
			}
			if tc.reason == ReasonIDTokenUnknownKey && e.op.jwksHits.Load() <= hitsBefore {
				t.Fatal("unknown kid did not trigger a JWKS refresh")
			}
			if !strings.Contains(body, "Try again") || !strings.Contains(body, url.QueryEscape("/app/")) {
				t.Fatalf("error page lacks a retry link back to rd: %s", body)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	e := newEnv(t, jose.ES256, nil)
	if resp, _ := e.get(e.toCallback("/app/")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first login: %d", resp.StatusCode)
	}
	hits := e.op.jwksHits.Load()
	e.op.rotate("k2", jose.RS256, false)
	resp, body := e.get(e.toCallback("/app/"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login after rotation: %d %s (%s)", resp.StatusCode, body, e.lastFailure())
	}
	if e.op.jwksHits.Load() <= hits {
		t.Fatal("rotation did not refresh the JWKS")
	}
}

func TestPKCEEnforcedByOP(t *testing.T) {
	e := newEnv(t, jose.ES256, nil)
	resp, _ := e.get(startURL("op", "/app/"))
	auth, _ := url.Parse(resp.Header.Get("Location"))
	q := auth.Query()
	// A code injected into another browser's flow carries another challenge.
	q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(make([]byte, 32)))
	auth.RawQuery = q.Encode()
	resp, _ = e.get(auth.String())
	resp, body := e.get(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusBadRequest || e.lastFailure() != "op/"+ReasonCodeExchangeFailed {
		t.Fatalf("status %d failure %q body %s", resp.StatusCode, e.lastFailure(), body)
	}
	if len(e.op.verifiers) != 1 || len(e.op.verifiers[0]) != 43 {
		t.Fatalf("verifier not sent: %q", e.op.verifiers)
	}
	// And the honest flow passes the OP's S256 check.
	if resp, _ := e.get(e.toCallback("/app/")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("honest login: %d (%s)", resp.StatusCode, e.lastFailure())
	}
}

func TestCallbackRefusals(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(e *testEnv)
		mangle func(e *testEnv, cb string) string
		reason string
	}{
		{name: "provider error", reason: ReasonProviderError,
			setup: func(e *testEnv) { e.op.set(func(op *testOP) { op.authError = "access_denied" }) }},
		{name: "expired login cookie", reason: ReasonLoginExpired,
			mangle: func(e *testEnv, cb string) string { e.clock.Add(loginTTL + time.Second); return cb }},
		{name: "tampered login cookie", reason: ReasonLoginCookieInvalid, mangle: func(e *testEnv, cb string) string {
			cs := e.cookies(PathCallback)
			v := []byte(cs[0].Value)
			if v[len(v)/2] == 'A' {
				v[len(v)/2] = 'B'
			} else {
				v[len(v)/2] = 'A'
			}
			cs[0].Value, cs[0].Path = string(v), pathPrefix
			pu, _ := url.Parse(e.gw.URL + PathCallback)
			e.jar.SetCookies(pu, cs[:1])
			return cb
		}},
		{name: "missing state", reason: ReasonStateMissing,
			mangle: func(e *testEnv, cb string) string { return dropParam(cb, "state") }},
		{name: "forged state", reason: ReasonStateMismatch,
			mangle: func(e *testEnv, cb string) string { return setParam(cb, "state", "forged") }},
		{name: "no login cookie", reason: ReasonLoginCookieMissing, mangle: func(e *testEnv, cb string) string {
			e.jar, _ = cookiejar.New(nil)
			e.browser.Jar = e.jar
			return cb
		}},
		{name: "missing code", reason: ReasonCodeMissing,
			mangle: func(e *testEnv, cb string) string { return dropParam(cb, "code") }},
		{name: "mix-up iss parameter", reason: ReasonProviderIssuer,
			mangle: func(e *testEnv, cb string) string { return setParam(cb, "iss", "https://evil.example") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, jose.ES256, nil)
			if tc.setup != nil {
				tc.setup(e)
			}
			cb := e.toCallback("/app/")
			if tc.mangle != nil {
				cb = tc.mangle(e, cb)
			}
			resp, body := e.get(cb)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.reason) ||
				!strings.HasSuffix(e.lastFailure(), "/"+tc.reason) {
				t.Fatalf("status %d failure %q", resp.StatusCode, e.lastFailure())
			}
			if e.sessions.count() != 0 {
				t.Fatal("a session was created")
			}
			if tc.reason == ReasonProviderError && (!strings.Contains(body, "access_denied") || len(e.cookies(PathCallback)) != 0) {
				t.Fatalf("provider error page or cookie cleanup wrong: %s", body)
			}
		})
	}
}

func dropParam(raw, k string) string {
	u, _ := url.Parse(raw)
	q := u.Query()
	q.Del(k)
	u.RawQuery = q.Encode()
	return u.String()
}

func setParam(raw, k, v string) string {
	u, _ := url.Parse(raw)
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestSignInWhileStoreDown: with the store down, a sign-in that succeeded
// at the provider ends on a clear 503 page saying to try again, not a 500.
func TestSignInWhileStoreDown(t *testing.T) {
	e := newEnv(t, jose.ES256, nil)
	e.sessions.down = errors.New("store: connection refused")
	resp, body := e.get(e.toCallback("/app/"))
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "database is not answering") ||
		!strings.Contains(body, ReasonSessionFailed) {
		t.Fatalf("HTTP %d: %s", resp.StatusCode, body)
	}
}
