package set

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// jwksServer serves a key set that the test can swap, counting fetches.
type jwksServer struct {
	mu      sync.Mutex
	ks      *jose.JSONWebKeySet
	status  int
	fetches atomic.Int32
	srv     *httptest.Server
}

func newJWKSServer(t *testing.T, ks *jose.JSONWebKeySet) *jwksServer {
	j := &jwksServer{ks: ks, status: http.StatusOK}
	j.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j.fetches.Add(1)
		j.mu.Lock()
		defer j.mu.Unlock()
		if j.status != http.StatusOK {
			w.WriteHeader(j.status)
			return
		}
		_ = json.NewEncoder(w).Encode(j.ks)
	}))
	t.Cleanup(j.srv.Close)
	return j
}

func (j *jwksServer) set(ks *jose.JSONWebKeySet, status int) {
	j.mu.Lock()
	j.ks, j.status = ks, status
	j.mu.Unlock()
}

func TestRemoteKeysRefetchOnUnknownKid(t *testing.T) {
	k1, k2 := newECKey(t), newECKey(t)
	srv := newJWKSServer(t, jwks(map[string]crypto.Signer{"k1": k1}))
	now := testNow
	clock := func() time.Time { return now }
	src := RemoteKeys(srv.srv.URL, srv.srv.Client(), clock, time.Minute)
	v := validation(src)
	v.Now = clock
	ctx := context.Background()

	if _, err := Parse(ctx, mustSign(t, newSigner(t, k1, "k1", jose.ES256), validSET()), v); err != nil {
		t.Fatalf("k1: %v", err)
	}
	if n := srv.fetches.Load(); n != 1 {
		t.Fatalf("fetches = %d, want 1", n)
	}
	// Cached: a second token costs no fetch.
	if _, err := Parse(ctx, mustSign(t, newSigner(t, k1, "k1", jose.ES256), validSET()), v); err != nil {
		t.Fatal(err)
	}
	// The transmitter rotates to k2; the unknown kid is refetched, once
	// per minRefresh.
	srv.set(jwks(map[string]crypto.Signer{"k1": k1, "k2": k2}), http.StatusOK)
	now = now.Add(2 * time.Minute)
	raw2 := mustSign(t, newSigner(t, k2, "k2", jose.ES256), validSET())
	if _, err := Parse(ctx, raw2, v); err != nil {
		t.Fatalf("k2 after rotation: %v", err)
	}
	if n := srv.fetches.Load(); n != 2 {
		t.Fatalf("fetches = %d, want 2", n)
	}
	// A flood of unknown kids within minRefresh of the last fetch causes
	// no further fetch.
	bogus := mustSign(t, newSigner(t, newECKey(t), "k9", jose.ES256), validSET())
	for range 5 {
		_, err := Parse(ctx, bogus, v)
		if se := mustParseErr(t, err); se.Code != CodeInvalidKey {
			t.Fatalf("unknown kid: %v", err)
		}
	}
	if n := srv.fetches.Load(); n != 2 {
		t.Fatalf("fetches = %d, want 2 (no refresh for the flood)", n)
	}
	now = now.Add(2 * time.Minute)
	_, _ = Parse(ctx, bogus, v)
	if n := srv.fetches.Load(); n != 3 {
		t.Fatalf("fetches = %d, want 3 after minRefresh", n)
	}
}

func TestRemoteKeysFailures(t *testing.T) {
	k1 := newECKey(t)
	srv := newJWKSServer(t, jwks(map[string]crypto.Signer{"k1": k1}))
	now := testNow
	clock := func() time.Time { return now }
	ctx := context.Background()

	srv.set(nil, http.StatusInternalServerError)
	src := RemoteKeys(srv.srv.URL, srv.srv.Client(), clock, time.Minute)
	if _, err := src.KeySet(ctx, false); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("err = %v, want ErrKeysUnavailable", err)
	}
	// A failure is rate-limited too.
	if _, err := src.KeySet(ctx, false); !errors.Is(err, ErrKeysUnavailable) || srv.fetches.Load() != 1 {
		t.Fatalf("err = %v, fetches = %d", err, srv.fetches.Load())
	}
	srv.set(jwks(map[string]crypto.Signer{"k1": k1}), http.StatusOK)
	now = now.Add(time.Minute)
	if ks, err := src.KeySet(ctx, false); err != nil || len(ks.Keys) != 1 {
		t.Fatalf("after recovery: %v", err)
	}
	// An outage after a good fetch keeps the cached keys.
	srv.set(nil, http.StatusBadGateway)
	now = now.Add(2 * time.Hour)
	if ks, err := src.KeySet(ctx, true); err != nil || len(ks.Keys) != 1 {
		t.Fatalf("stale copy: %v", err)
	}

	for name, url := range map[string]string{"plain http off loopback": "http://keys.example.com/jwks", "not a URL": "::"} {
		if _, err := RemoteKeys(url, nil, clock, 0).KeySet(ctx, false); !errors.Is(err, ErrKeysUnavailable) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestPublicOnlyDropsSecrets(t *testing.T) {
	k := newECKey(t)
	ks := &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: []byte("shared secret"), KeyID: "hs", Algorithm: "HS256"},
		{Key: k, KeyID: "private"},
		{Key: k.Public(), KeyID: "enc", Use: "enc"},
	}}
	out := publicOnly(ks)
	if len(out.Keys) != 1 || out.Keys[0].KeyID != "private" || !out.Keys[0].IsPublic() {
		t.Fatalf("publicOnly = %+v", out.Keys)
	}
}
