package server_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/ssf/set"
)

// idpTransmitter is an identity provider's Shared Signals transmitter:
// its signing key and a JWKS endpoint serving it.
type idpTransmitter struct {
	key    *ecdsa.PrivateKey
	signer *set.Signer
	jwks   *httptest.Server
}

func newIdPTransmitter(t *testing.T) *idpTransmitter {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sg, err := set.NewSigner(k, "idp-ssf-1", jose.ES256)
	if err != nil {
		t.Fatal(err)
	}
	ks := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: "idp-ssf-1", Algorithm: "ES256", Use: "sig"}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(ks)
	}))
	t.Cleanup(srv.Close)
	return &idpTransmitter{key: k, signer: sg, jwks: srv}
}

// push sends a SET to the gateway's receiver; it returns the status and
// the RFC 8935 error code ("" on success).
func push(t *testing.T, public, raw string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", public+"/.vigil/ssf/events", strings.NewReader(raw))
	req.Header.Set("Content-Type", "application/secevent+jwt")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Err string `json:"err"`
	}
	body, _ := io.ReadAll(resp.Body)
	json.Unmarshal(body, &e)
	return resp.StatusCode, e.Err
}

// sessionRevoked is a CAEP session-revoked SET about the demo IdP's user.
func (tx *idpTransmitter) sessionRevoked(t *testing.T, issuer, aud, sub string) *set.SET {
	t.Helper()
	subject := set.IssSub(issuer, sub)
	st, err := set.Build(set.SessionRevoked{Common: set.Common{EventTimestamp: time.Now().Unix(),
		ReasonAdmin: set.Reason{"en": "signed out everywhere by the help desk"}}}, &subject)
	if err != nil {
		t.Fatal(err)
	}
	st.Issuer, st.Audience, st.IssuedAt = issuer, []string{aud}, time.Now()
	st.ID = "jti-" + base64.RawURLEncoding.EncodeToString(randomBytes(t, 12))
	return st
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func (tx *idpTransmitter) sign(t *testing.T, st *set.SET) string {
	t.Helper()
	raw, err := tx.signer.Sign(st)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// unsigned encodes st with alg "none".
func unsigned(t *testing.T, st *set.SET) string {
	t.Helper()
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"secevent+jwt"}`))
	claims := map[string]any{"iss": st.Issuer, "jti": st.ID, "iat": st.IssuedAt.Unix(), "aud": st.Audience,
		"sub_id": st.Subject, "events": map[string]json.RawMessage{st.Event: st.Payload}}
	b, _ := json.Marshal(claims)
	return hdr + "." + base64.RawURLEncoding.EncodeToString(b) + "."
}

// TestIdPPushesSessionRevoked: the identity provider pushes a signed CAEP
// session-revoked SET for u1 and u1's next request is refused; SETs that
// are unsigned, signed by another key, replayed or for another audience
// are refused with their RFC 8935 error codes and change nothing.
func TestIdPPushesSessionRevoked(t *testing.T) {
	tx := newIdPTransmitter(t)
	e := startRisk(t, func(c *config.Config) {
		c.SSF.Transmitters = []config.SSFTransmitter{{Name: "corp-idp", Issuer: c.Providers[0].Issuer, JWKSURI: tx.jwks.URL}}
	})
	u1, _ := e.browserFrom("")
	if resp := signInDemo(t, u1, e.public+"/inbox", "u1"); resp.StatusCode != 200 {
		t.Fatalf("sign-in: HTTP %d", resp.StatusCode)
	}
	u2, _ := e.browserFrom("")
	if resp := signInDemo(t, u2, e.public+"/inbox", "u2"); resp.StatusCode != 200 {
		t.Fatalf("sign-in: HTTP %d", resp.StatusCode)
	}
	stillIn := func(what string) {
		t.Helper()
		if code, ec := getEcho(t, u1, e.public+"/inbox", nil); code != 200 || !ec.Verified {
			t.Fatalf("after %s: u1 got HTTP %d, want still signed in", what, code)
		}
	}

	other := newIdPTransmitter(t) // a key the IdP never published
	good := tx.sessionRevoked(t, e.issuer, e.public, "sub-u1")
	wrongAud := tx.sessionRevoked(t, e.issuer, "https://someone-else.example", "sub-u1")
	wrongIss := tx.sessionRevoked(t, "https://evil.example", e.public, "sub-u1")
	for _, tc := range []struct {
		name, raw, code string
		status          int
	}{
		{"unsigned", unsigned(t, tx.sessionRevoked(t, e.issuer, e.public, "sub-u1")), "invalid_request", 400},
		{"signed by another key", other.sign(t, tx.sessionRevoked(t, e.issuer, e.public, "sub-u1")), "invalid_key", 400},
		{"wrong audience", tx.sign(t, wrongAud), "invalid_audience", 400},
		{"unknown issuer", tx.sign(t, wrongIss), "invalid_issuer", 400},
		{"not a JWT", "hello", "invalid_request", 400},
	} {
		status, code := push(t, e.public, tc.raw)
		if status != tc.status || code != tc.code {
			t.Errorf("%s: HTTP %d %q, want %d %q", tc.name, status, code, tc.status, tc.code)
		}
		stillIn(tc.name)
	}

	raw := tx.sign(t, good)
	if status, code := push(t, e.public, raw); status != 202 {
		t.Fatalf("valid SET: HTTP %d %q, want 202", status, code)
	}
	// Applied before the 202: the very next request is refused.
	if code, loc, body := status(t, u1, e.public+"/inbox", "text/html"); code != 401 || !strings.Contains(body, "You were signed out: ") ||
		!strings.Contains(body, "corp-idp") || !strings.Contains(body, "/.vigil/login?rd=") {
		t.Fatalf("after session-revoked: %s, want the reason and a way to sign in", describe(code, loc, body))
	}
	if code, _ := getEcho(t, u2, e.public+"/inbox", nil); code != 200 {
		t.Errorf("u2 was not named but got HTTP %d", code)
	}
	// The same SET again is a replay.
	if status, code := push(t, e.public, raw); status != 400 || code != "invalid_request" {
		t.Errorf("replayed SET: HTTP %d %q, want 400 invalid_request", status, code)
	}
}

// TestSubscribedAppReceivesSessionRevoked: an app subscribes to Vigil's
// Shared Signals transmitter (discovery, stream creation, subject added)
// and, when an administrator revokes a user through the admin API, receives
// a session-revoked SET that verifies against the transmitter's JWKS.
func TestSubscribedAppReceivesSessionRevoked(t *testing.T) {
	var mu sync.Mutex
	var received []string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") != "application/secevent+jwt" || r.Header.Get("Authorization") != "Bearer app-push-secret" {
			w.WriteHeader(400)
			return
		}
		mu.Lock()
		received = append(received, string(b))
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(app.Close)
	const appToken = "hr-app-stream-token-0123456789"
	e := startRisk(t, func(c *config.Config) {
		c.SSF.Subscribers = []config.SSFSubscriber{{Name: "hr", Token: config.Secret{Value: appToken}, PushEndpoints: []string{app.URL + "/ssf"}}}
	})
	u1, _ := e.browserFrom("")
	if resp := signInDemo(t, u1, e.public+"/", "u1"); resp.StatusCode != 200 {
		t.Fatalf("sign-in: HTTP %d", resp.StatusCode)
	}
	call := func(method, path string, body any, out any) int {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, path, rd)
		req.Header.Set("Authorization", "Bearer "+appToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				t.Fatalf("%s %s: HTTP %d %s", method, path, resp.StatusCode, b)
			}
		}
		return resp.StatusCode
	}
	var disc struct {
		Issuer        string `json:"issuer"`
		JWKSURI       string `json:"jwks_uri"`
		Configuration string `json:"configuration_endpoint"`
		AddSubject    string `json:"add_subject_endpoint"`
	}
	if code := call("GET", e.public+"/.well-known/ssf-configuration", nil, &disc); code != 200 || disc.Issuer != e.public {
		t.Fatalf("discovery: HTTP %d %+v", code, disc)
	}
	var stream struct {
		StreamID string `json:"stream_id"`
	}
	code := call("POST", disc.Configuration, map[string]any{
		"delivery":         map[string]any{"method": "urn:ietf:rfc:8935", "endpoint_url": app.URL + "/ssf/events", "authorization_header": "Bearer app-push-secret"},
		"events_requested": []string{set.CAEPSessionRevoked, set.CAEPRiskLevelChange},
	}, &stream)
	if code != 201 || stream.StreamID == "" {
		t.Fatalf("create stream: HTTP %d %+v", code, stream)
	}
	userID := session.UserID("demo", "sub-u1")
	if code := call("POST", disc.AddSubject, map[string]any{"stream_id": stream.StreamID,
		"subject": map[string]any{"format": "iss_sub", "iss": e.public, "sub": userID}}, nil); code != 200 && code != 204 {
		t.Fatalf("add subject: HTTP %d", code)
	}

	var out struct {
		Revoked int `json:"revoked"`
	}
	if code := e.admin(t, "POST", "/sessions/revoke", map[string]any{"scope": "user", "key": "u1@example.com", "reason": "laptop reported stolen"}, &out); code != 200 || out.Revoked != 1 {
		t.Fatalf("admin revoke: HTTP %d %+v", code, out)
	}
	// The very next request is refused, and says why, with a way back in.
	if code, loc, body := status(t, u1, e.public+"/", "text/html"); code != 401 || !strings.Contains(body, "laptop reported stolen") ||
		!strings.Contains(body, "/.vigil/login?rd=") {
		t.Fatalf("after the admin's revocation: %s", describe(code, loc, body))
	}
	var raw string
	eventually(t, "the app receives a SET", func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range received {
			if st, err := set.Parse(context.Background(), r, set.Validation{Issuer: e.public, Audience: "hr",
				Keys: set.RemoteKeys(disc.JWKSURI, http.DefaultClient, time.Now, time.Second)}); err == nil && st.Event == set.CAEPSessionRevoked {
				raw = r
				return true, ""
			}
		}
		return false, strings.Join(received, "\n")
	})
	st, err := set.Parse(context.Background(), raw, set.Validation{Issuer: e.public, Audience: "hr",
		Keys: set.RemoteKeys(disc.JWKSURI, http.DefaultClient, time.Now, time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	var p set.SessionRevoked
	if err := json.Unmarshal(st.Payload, &p); err != nil {
		t.Fatal(err)
	}
	if st.Subject == nil || st.Subject.User == nil || st.Subject.User.Sub != userID || st.Subject.Session == nil ||
		p.ReasonAdmin["en"] != "laptop reported stolen" {
		t.Fatalf("SET subject %+v payload %+v", st.Subject, p)
	}
}
