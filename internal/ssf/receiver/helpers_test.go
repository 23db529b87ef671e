package receiver

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/ssf/set"
)

const (
	idpIssuer = "https://idp.example.com"
	edrIssuer = "https://edr.example.com"
	audience  = "https://vigil.example.com/ssf"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture is one receiver with two transmitters, their keys and a push
// endpoint served over real HTTP.
type fixture struct {
	idpKey, edrKey *ecdsa.PrivateKey
	idp, edr       *set.Signer
	ledger         *memLedger
	applier        *recApplier
	recv           *Receiver
	srv            *httptest.Server
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func keySet(k *ecdsa.PrivateKey, kid string) set.KeySource {
	return set.StaticKeys(&jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k.Public(), KeyID: kid, Use: "sig"}}})
}

func newFixture(t testing.TB, mod func(*Options)) *fixture {
	t.Helper()
	f := &fixture{idpKey: newKey(t), edrKey: newKey(t), ledger: newMemLedger(), applier: &recApplier{}}
	var err error
	if f.idp, err = set.NewSigner(f.idpKey, "idp-1", jose.ES256); err != nil {
		t.Fatal(err)
	}
	if f.edr, err = set.NewSigner(f.edrKey, "edr-1", jose.ES256); err != nil {
		t.Fatal(err)
	}
	o := Options{
		Transmitters: []Transmitter{
			{Name: "Okta", Issuer: idpIssuer, Audience: audience, Keys: keySet(f.idpKey, "idp-1")},
			{Name: "EDR", Issuer: edrIssuer, Audience: audience, Keys: keySet(f.edrKey, "edr-1"), PushToken: []byte("push-secret")},
		},
		Ledger: f.ledger, Applier: f.applier, Clock: func() time.Time { return testNow },
	}
	if mod != nil {
		mod(&o)
	}
	if f.recv, err = New(o); err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(f.recv.PushHandler())
	t.Cleanup(f.srv.Close)
	return f
}

// event returns a SET from the IdP revoking alice's sessions.
func event(jti string) *set.SET {
	user := set.EmailSubject("alice@example.com")
	return &set.SET{
		Issuer: idpIssuer, ID: jti, IssuedAt: testNow.Add(-time.Minute), Audience: []string{audience},
		Subject: &user, Event: set.CAEPSessionRevoked, Payload: json.RawMessage(`{}`),
	}
}

func sign(t testing.TB, s *set.Signer, st *set.SET) string {
	t.Helper()
	raw, err := s.Sign(st)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// signRaw signs arbitrary claims with header typ typ, to build SETs that
// set.Signer refuses to make.
func signRaw(t testing.TB, k *ecdsa.PrivateKey, kid, typ string, claims map[string]any) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k, KeyID: kid}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func baseClaims(jti string) map[string]any {
	return map[string]any{
		"iss": idpIssuer, "jti": jti, "iat": testNow.Unix(), "aud": audience,
		"sub_id": map[string]any{"format": "email", "email": "alice@example.com"},
		"events": map[string]any{set.CAEPSessionRevoked: map[string]any{}},
	}
}

type pushResult struct {
	status int
	err    string
	body   string
}

func push(t testing.TB, url, contentType, token, body string) pushResult {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	var e setError
	_ = json.Unmarshal(buf.Bytes(), &e)
	return pushResult{status: resp.StatusCode, err: e.Err, body: buf.String()}
}

const setType = "application/secevent+jwt"

// memLedger is an in-memory replay ledger with the store's semantics.
type memLedger struct {
	mu   sync.Mutex
	used map[string]time.Time
}

func newMemLedger() *memLedger { return &memLedger{used: map[string]time.Time{}} }

func (l *memLedger) MarkUsed(_ context.Context, key string, exp time.Time) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.used[key]; ok {
		return false, nil
	}
	l.used[key] = exp
	return true, nil
}

// releasingLedger adds ReleaseUsed.
type releasingLedger struct{ *memLedger }

func (l releasingLedger) ReleaseUsed(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.used, key)
	return nil
}

var (
	_ Ledger   = (*memLedger)(nil)
	_ Releaser = releasingLedger{}
	_ Applier  = (*recApplier)(nil)
)

// recApplier records what it is asked to apply. fail makes the next calls
// fail; block, when set, is waited on inside Apply.
type recApplier struct {
	mu      sync.Mutex
	calls   []applied
	fail    int
	block   chan struct{}
	entered chan struct{}
}

type applied struct {
	from    string
	set     *set.SET
	effects []Effect
}

func (a *recApplier) Apply(_ context.Context, from *Transmitter, t *set.SET, effects []Effect) error {
	a.mu.Lock()
	block, entered := a.block, a.entered
	a.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
	}
	if block != nil {
		<-block
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail > 0 {
		a.fail--
		return errors.New("store down")
	}
	a.calls = append(a.calls, applied{from: from.Name, set: t, effects: effects})
	return nil
}

func (a *recApplier) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.calls)
}

func (a *recApplier) last() applied {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls[len(a.calls)-1]
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
