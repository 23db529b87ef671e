package transmitter

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/ssf/set"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

const (
	tokenA = "token-a-0123456789abcdef"
	tokenB = "token-b-0123456789abcdef"
	audA   = "https://app-a.example.com"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// pushReceiver is an RFC 8935 push endpoint that records what it gets and
// answers with the queued statuses (202 once they run out).
type pushReceiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []received
	ans []answer
}

type received struct {
	body []byte
	auth string
	typ  string
}

type answer struct {
	status int
	body   string
}

func newPushReceiver(t *testing.T) *pushReceiver {
	p := &pushReceiver{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.got = append(p.got, received{body: b, auth: r.Header.Get("Authorization"), typ: r.Header.Get("Content-Type")})
		a := answer{status: http.StatusAccepted}
		if len(p.ans) > 0 {
			a, p.ans = p.ans[0], p.ans[1:]
		}
		p.mu.Unlock()
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pushReceiver) answer(as ...answer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ans = append(p.ans, as...)
}

func (p *pushReceiver) received() []received {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]received(nil), p.got...)
}

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// newKey returns a fresh P-256 key to sign SETs with.
func newKey(t *testing.T) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// signing returns the signer and JWKS of key (kid k1) a Transmitter takes.
func signing(t *testing.T, key *ecdsa.PrivateKey) (*set.Signer, *jose.JSONWebKeySet) {
	signer, err := set.NewSigner(key, "k1", jose.ES256)
	if err != nil {
		t.Fatal(err)
	}
	return signer, &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}}
}

// env is a transmitter on a real HTTP server over a real SQLite file.
type env struct {
	t     *testing.T
	tr    *Transmitter
	srv   *httptest.Server
	db    *sqlite.DB
	clock *fakeClock
	push  *pushReceiver
	opts  Options // what tr was made from
}

func newEnv(t *testing.T, tweak func(*Options)) *env {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "vigil.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	signer, jwks := signing(t, newKey(t))
	e := &env{t: t, db: db, clock: &fakeClock{now: t0}, push: newPushReceiver(t)}
	e.srv = httptest.NewUnstartedServer(nil)
	t.Cleanup(e.srv.Close)
	o := Options{
		Issuer: "http://" + e.srv.Listener.Addr().String(),
		Store:  db, Signer: signer, JWKS: jwks,
		Receivers: []Receiver{
			{Name: "app-a", Audience: audA, Token: []byte(tokenA), PushEndpoints: []string{e.push.srv.URL + "/events"}},
			{Name: "app-b", Token: []byte(tokenB)},
		},
		Clock: e.clock.Now, Logger: slog.New(slog.DiscardHandler),
	}
	if tweak != nil {
		tweak(&o)
	}
	e.opts = o
	if e.tr, err = New(o); err != nil {
		t.Fatalf("New: %v", err)
	}
	e.srv.Config.Handler = e.tr.Handler()
	e.srv.Start()
	return e
}

// call makes a management request; body is JSON-encoded unless it is a
// string. It returns the status and the body.
func (e *env) call(method, path, token string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// mustCall is call that fails the test unless the status is want, and
// decodes the body into v when v is not nil.
func (e *env) mustCall(want int, method, path, token string, body, v any) {
	e.t.Helper()
	got, b := e.call(method, path, token, body)
	if got != want {
		e.t.Fatalf("%s %s = %d %s, want %d", method, path, got, b, want)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// createStream creates app-a's stream with the given delivery and
// requested events and returns its view.
func (e *env) createStream(token string, d *Delivery, events ...string) streamView {
	e.t.Helper()
	req := map[string]any{"events_requested": events}
	if d != nil {
		req["delivery"] = d
	}
	var v streamView
	e.mustCall(http.StatusCreated, "POST", "/.vigil/ssf/stream", token, req, &v)
	return v
}

func (e *env) addSubject(token, streamID string, sub set.Subject) {
	e.t.Helper()
	e.mustCall(http.StatusOK, "POST", "/.vigil/ssf/subjects:add", token,
		map[string]any{"stream_id": streamID, "subject": sub}, nil)
}

func (e *env) pushDelivery() *Delivery {
	return &Delivery{Method: MethodPush, EndpointURL: e.push.srv.URL + "/events/a", AuthorizationHeader: "Bearer push-secret"}
}

// claims verifies raw as the SET a receiver would: keys fetched from the
// jwks_uri named by the discovery document, go-jose directly, typ checked.
func (e *env) claims(raw []byte) map[string]any {
	e.t.Helper()
	ks := e.fetchKeys()
	jws, err := jose.ParseSigned(string(raw), []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		e.t.Fatalf("parse SET: %v", err)
	}
	sig := jws.Signatures[0].Header
	if typ, _ := sig.ExtraHeaders["typ"].(string); typ != "secevent+jwt" {
		e.t.Fatalf("SET typ = %q", typ)
	}
	keys := ks.Key(sig.KeyID)
	if len(keys) != 1 || !keys[0].IsPublic() {
		e.t.Fatalf("JWKS has %d keys for kid %q (public only expected)", len(keys), sig.KeyID)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		e.t.Fatalf("SET signature: %v", err)
	}
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// fetchKeys reads the JWKS from the jwks_uri the discovery document names.
func (e *env) fetchKeys() *jose.JSONWebKeySet {
	e.t.Helper()
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	e.mustCall(http.StatusOK, "GET", "/.well-known/ssf-configuration", "", nil, &doc)
	resp, err := e.srv.Client().Get(doc.JWKSURI)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var ks jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&ks); err != nil {
		e.t.Fatal(err)
	}
	return &ks
}

// event returns the single event type and object of verified claims.
func event(c map[string]any) (string, map[string]any) {
	for k, v := range c["events"].(map[string]any) {
		return k, v.(map[string]any)
	}
	return "", nil
}

func (e *env) count(streamID string) int {
	e.t.Helper()
	n, err := e.db.CountStreamEvents(context.Background(), streamID)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}
