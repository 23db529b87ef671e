package authn

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// testKey is a signing key of the test OP.
type testKey struct {
	kid  string
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
}

func newTestKey(t testing.TB, kid string, alg jose.SignatureAlgorithm) testKey {
	t.Helper()
	var priv crypto.Signer
	var err error
	switch alg {
	case jose.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		t.Fatalf("unsupported test alg %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return testKey{kid: kid, alg: alg, priv: priv}
}

// authRequest is what the test OP remembers between authorize and token.
type authRequest struct {
	ClientID, RedirectURI, State, Nonce, Challenge, Method, Scope string
}

// tokenSpec is the ID token a test case crafts: claims plus how to sign.
// When Raw is set it is returned verbatim.
type tokenSpec struct {
	Claims map[string]any
	Key    testKey
	Kid    string
	Raw    string
}

// testOP is a deliberately hostile OpenID Provider: it returns whatever ID
// token the test case crafts, and checks PKCE like a real one.
type testOP struct {
	t        testing.TB
	srv      *httptest.Server
	clientID string
	secret   string
	now      func() time.Time

	mu          sync.Mutex
	published   []testKey
	signer      testKey
	codes       map[string]authRequest
	authReqs    []authRequest
	verifiers   []string
	tweak       func(op *testOP, s *tokenSpec)
	authError   string
	endSession  bool
	down        bool
	userinfo    map[string]any
	accessToken string

	jwksHits atomic.Int32
}

func newTestOP(t testing.TB, now func() time.Time, alg jose.SignatureAlgorithm) *testOP {
	op := &testOP{t: t, clientID: "vigil-client", secret: "s3cret", now: now, codes: map[string]authRequest{}}
	op.signer = newTestKey(t, "k1", alg)
	op.published = []testKey{op.signer}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", op.discovery)
	mux.HandleFunc("GET /jwks", op.jwks)
	mux.HandleFunc("GET /authorize", op.authorize)
	mux.HandleFunc("POST /token", op.token)
	mux.HandleFunc("GET /userinfo", op.userinfoHandler)
	op.srv = httptest.NewTLSServer(mux)
	t.Cleanup(op.srv.Close)
	return op
}

func (op *testOP) issuer() string { return op.srv.URL }

func (op *testOP) discovery(w http.ResponseWriter, r *http.Request) {
	op.mu.Lock()
	defer op.mu.Unlock()
	if op.down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	doc := map[string]any{
		"issuer":                                op.issuer(),
		"authorization_endpoint":                op.issuer() + "/authorize",
		"token_endpoint":                        op.issuer() + "/token",
		"jwks_uri":                              op.issuer() + "/jwks",
		"response_types_supported":              []string{"code"},
		"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
		"code_challenge_methods_supported":      []string{"S256"},
	}
	if op.userinfo != nil {
		doc["userinfo_endpoint"] = op.issuer() + "/userinfo"
	}
	if op.endSession {
		doc["end_session_endpoint"] = op.issuer() + "/logout?tenant=t1"
	}
	writeJSON(w, http.StatusOK, doc)
}

func (op *testOP) jwks(w http.ResponseWriter, r *http.Request) {
	op.jwksHits.Add(1)
	op.mu.Lock()
	defer op.mu.Unlock()
	set := jose.JSONWebKeySet{}
	for _, k := range op.published {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"})
	}
	writeJSON(w, http.StatusOK, set)
}

func (op *testOP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req := authRequest{
		ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"), State: q.Get("state"),
		Nonce: q.Get("nonce"), Challenge: q.Get("code_challenge"), Method: q.Get("code_challenge_method"), Scope: q.Get("scope"),
	}
	op.mu.Lock()
	defer op.mu.Unlock()
	op.authReqs = append(op.authReqs, req)
	if req.ClientID != op.clientID || q.Get("response_type") != "code" || req.RedirectURI == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(req.RedirectURI)
	v := url.Values{"state": {req.State}}
	if op.authError != "" {
		v.Set("error", op.authError)
	} else {
		code := randomHex(op.t)
		op.codes[code] = req
		v.Set("code", code)
		v.Set("iss", op.issuer())
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (op *testOP) token(w http.ResponseWriter, r *http.Request) {
	if id, secret, ok := r.BasicAuth(); !ok || id != op.clientID || secret != op.secret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "authorization_code" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	op.mu.Lock()
	defer op.mu.Unlock()
	req, ok := op.codes[r.PostForm.Get("code")]
	delete(op.codes, r.PostForm.Get("code")) // single use
	verifier := r.PostForm.Get("code_verifier")
	op.verifiers = append(op.verifiers, verifier)
	sum := sha256.Sum256([]byte(verifier))
	if !ok || req.RedirectURI != r.PostForm.Get("redirect_uri") || req.Method != "S256" ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != req.Challenge {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	now := op.now()
	spec := &tokenSpec{Key: op.signer, Kid: op.signer.kid, Claims: map[string]any{
		"iss": op.issuer(), "aud": op.clientID, "sub": "user-123", "nonce": req.Nonce,
		"exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(), "auth_time": now.Add(-time.Minute).Unix(),
		"email": "Alice@Example.COM", "email_verified": true, "name": "Alice Example",
		"groups": []string{"eng", "admins"}, "amr": []string{"pwd", "otp"}, "acr": "urn:test:aal2", "sid": "op-session-1",
	}}
	if op.tweak != nil {
		op.tweak(op, spec)
	}
	raw := spec.Raw
	if raw == "" {
		raw = signToken(op.t, spec)
	}
	op.accessToken = "at-" + randomHex(op.t)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": op.accessToken, "token_type": "Bearer", "expires_in": 300, "id_token": raw,
	})
}

func (op *testOP) userinfoHandler(w http.ResponseWriter, r *http.Request) {
	op.mu.Lock()
	defer op.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+op.accessToken {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	writeJSON(w, http.StatusOK, op.userinfo)
}

// rotate publishes a fresh key with kid and signs with it; the old key is
// withdrawn when keepOld is false.
func (op *testOP) rotate(kid string, alg jose.SignatureAlgorithm, keepOld bool) {
	k := newTestKey(op.t, kid, alg)
	op.mu.Lock()
	defer op.mu.Unlock()
	if !keepOld {
		op.published = nil
	}
	op.published = append(op.published, k)
	op.signer = k
}

func (op *testOP) set(f func(op *testOP)) {
	op.mu.Lock()
	defer op.mu.Unlock()
	f(op)
}

func signToken(t testing.TB, s *tokenSpec) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if s.Kid != "" {
		opts = opts.WithHeader("kid", s.Kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: s.Key.alg, Key: s.Key.priv}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(s.Claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(t testing.TB) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", b)
}
