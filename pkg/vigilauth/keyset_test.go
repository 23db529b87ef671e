package vigilauth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestUnknownKidRefresh(t *testing.T) {
	ctx := context.Background()
	g, kid := newGateway(t)
	clk := &testClock{t: testNow}
	v := newTestVerifier(t, g, clk)
	if _, err := v.Verify(ctx, g.sign(kid, defaultHeader(kid), defaultClaims(testNow))); err != nil {
		t.Fatal(err)
	}
	// Rotation: the gateway publishes a new key and signs with it; the
	// cached set lacks it, so the verifier refetches once.
	k2 := g.newKey(true)
	clk.Add(DefaultMinRefreshInterval)
	if _, err := v.Verify(ctx, g.sign(k2, defaultHeader(k2), defaultClaims(testNow))); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if n := g.fetches.Load(); n != 2 {
		t.Fatalf("fetches = %d, want 2", n)
	}
	// The old key still verifies without a fetch.
	if _, err := v.Verify(ctx, g.sign(kid, defaultHeader(kid), defaultClaims(testNow))); err != nil || g.fetches.Load() != 2 {
		t.Fatalf("old key: %v, fetches %d", err, g.fetches.Load())
	}
}

func TestUnknownKidRateLimited(t *testing.T) {
	ctx := context.Background()
	g, kid := newGateway(t)
	clk := &testClock{t: testNow}
	v := newTestVerifier(t, g, clk)
	if _, err := v.Verify(ctx, g.sign(kid, defaultHeader(kid), defaultClaims(testNow))); err != nil {
		t.Fatal(err)
	}
	clk.Add(DefaultMinRefreshInterval)
	// A flood of tokens with unknown kids costs one fetch per interval.
	for i := range 100 {
		h := defaultHeader("bogus-" + string(rune('a'+i%26)))
		_, err := v.Verify(ctx, g.sign(kid, h, defaultClaims(testNow)))
		if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), "unknown kid") {
			t.Fatalf("err = %v", err)
		}
	}
	if n := g.fetches.Load(); n != 2 {
		t.Fatalf("fetches = %d, want 2", n)
	}
	// A key published during the quiet interval is found after it.
	k2 := g.newKey(true)
	tok := g.sign(k2, defaultHeader(k2), defaultClaims(testNow))
	if _, err := v.Verify(ctx, tok); err == nil {
		t.Fatal("refetched inside the interval")
	}
	clk.Add(DefaultMinRefreshInterval)
	if _, err := v.Verify(ctx, tok); err != nil {
		t.Fatalf("after interval: %v", err)
	}
}

func TestKeySetCacheControl(t *testing.T) {
	ctx := context.Background()
	g, kid := newGateway(t)
	g.cacheControl = "max-age=60"
	clk := &testClock{t: testNow}
	v := newTestVerifier(t, g, clk)
	verify := func() error {
		_, err := v.Verify(ctx, g.sign(kid, defaultHeader(kid), defaultClaims(clk.Now())))
		return err
	}
	steps := []struct {
		advance time.Duration
		down    bool
		fetches int32
		wantErr error
	}{
		{0, false, 1, nil},                          // lazy first fetch
		{59 * time.Second, false, 1, nil},           // cached
		{2 * time.Second, false, 2, nil},            // expired: refetched
		{61 * time.Second, true, 3, nil},            // gateway down: stale set still serves
		{staleGrace - 30*time.Second, true, 4, nil}, // still within grace
		{time.Minute, true, 5, ErrKeySet},           // grace over: fail closed
		{time.Second, true, 5, ErrKeySet},           // and no refetch inside the interval
		{DefaultMinRefreshInterval, false, 6, nil},  // gateway back
	}
	for i, st := range steps {
		clk.Add(st.advance)
		g.setDown(st.down)
		err := verify()
		if !errors.Is(err, st.wantErr) || (st.wantErr == nil && err != nil) {
			t.Fatalf("step %d: err = %v, want %v", i, err, st.wantErr)
		}
		if n := g.fetches.Load(); n != st.fetches {
			t.Fatalf("step %d: fetches = %d, want %d", i, n, st.fetches)
		}
	}
}

func TestMaxAge(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", defaultKeySetTTL},
		{"public, max-age=300", 300 * time.Second},
		{"Max-Age=\"60\"", 60 * time.Second},
		{"no-store", 0},
		{"max-age=-1", defaultKeySetTTL},
		{"max-age=abc", defaultKeySetTTL},
		{"max-age=99999999999", maxKeySetTTL},
	}
	for _, tt := range tests {
		if got := maxAge(tt.in); got != tt.want {
			t.Errorf("maxAge(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseKeySet(t *testing.T) {
	ec := `"kty":"EC","crv":"P-256","x":"YP7UuiVanTHJYet0xjVtaMBJuJI7Yfps5mliLmDyn7Y","y":"eQP-EAi4vJmkGunpVii8ZPLxsgwtfp9Rd6PClNRGIpk"`
	body := `{"keys":[
		{` + ec + `,"kid":"ok","use":"sig","alg":"ES256"},
		{` + ec + `,"kid":"dup"},{` + ec + `,"kid":"dup"},
		{` + ec + `,"kid":"enc","use":"enc"},
		{` + ec + `,"kid":"hs","alg":"HS256"},
		{` + ec + `},
		{"kty":"oct","k":"c2VjcmV0","kid":"oct"}]}`
	keys, err := parseKeySet([]byte(body), []joseAlg{"ES256"})
	if err != nil {
		t.Fatal(err)
	}
	ok := keys["ok"]
	if len(keys) != 1 || ok.KeyID != "ok" || !ok.IsPublic() {
		t.Fatalf("keys = %v", keys)
	}
	if _, err := parseKeySet([]byte(`{"keys":[{"kty":"EC"}]}`), nil); !errors.Is(err, ErrKeySet) {
		t.Fatalf("bad set: err = %v", err)
	}
}

// TestKeySetFetchOutlivesCaller: a client that disconnects while the JWKS
// is being fetched gets its own error, and the fetch completes for the
// next caller instead of failing every verification for the refresh
// interval.
func TestKeySetFetchOutlivesCaller(t *testing.T) {
	g, kid := newGateway(t)
	clk := &testClock{t: testNow}
	v := newTestVerifier(t, g, clk)
	release := g.hold(t)
	tok := g.sign(kid, defaultHeader(kid), defaultClaims(testNow))

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := v.Verify(ctx, tok); errc <- err }()
	<-g.arrived // the fetch is at the gateway
	cancel()    // the client disconnects
	err := <-errc
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrKeySet) {
		t.Fatalf("cancelled caller: err = %v, want ErrKeySet wrapping context.Canceled", err)
	}
	release()
	// Same instant, so inside MinRefreshInterval: the fetch the first
	// caller started must have been kept.
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatalf("after a cancelled caller: %v", err)
	}
	if n := g.fetches.Load(); n != 1 {
		t.Fatalf("fetches = %d, want 1", n)
	}
}

// TestKeySetFetchTimeout: fetches have their own deadline even when the
// caller's context has none, and concurrent callers share one fetch.
func TestKeySetFetchTimeout(t *testing.T) {
	g, kid := newGateway(t)
	clk := &testClock{t: testNow}
	v := newTestVerifier(t, g, clk)
	v.keys.fetchTimeout = 50 * time.Millisecond
	g.hold(t)
	tok := g.sign(kid, defaultHeader(kid), defaultClaims(testNow))
	errs := make(chan error, 3)
	for range 3 {
		go func() { _, err := v.Verify(context.Background(), tok); errs <- err }()
	}
	for range 3 {
		if err := <-errs; !errors.Is(err, ErrKeySet) || !strings.Contains(err.Error(), "deadline exceeded") {
			t.Fatalf("err = %v, want ErrKeySet after the fetch deadline", err)
		}
	}
	if n := g.fetches.Load(); n != 1 {
		t.Fatalf("fetches = %d, want 1 shared fetch", n)
	}
}
