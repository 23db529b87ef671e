package assertion

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no issuer", func(c *Config) { c.Issuer = "" }, "issuer"},
		{"relative issuer", func(c *Config) { c.Issuer = "/gw" }, "issuer"},
		{"no store", func(c *Config) { c.Store = nil }, "key store"},
		{"short secret", func(c *Config) { c.MasterSecret = []byte("x") }, "master secret"},
		{"negative ttl", func(c *Config) { c.TTL = -time.Second }, "negative"},
		{"rotation shorter than ttl", func(c *Config) { c.KeyRotation = time.Minute; c.TTL = time.Hour }, "rotation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(&memKeyStore{}, &fakeClock{t: testStart})
			tt.edit(&cfg)
			_, err := New(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestNewCreatesAndReloadsKey(t *testing.T) {
	st := &memKeyStore{}
	clk := &fakeClock{t: testStart}
	a := newTestSigner(t, st, clk)
	if st.count() != 1 || currentKID(a) == "" || currentKID(a) != st.keys[0].ID {
		t.Fatalf("want one stored key in use; stored %d, current %q", st.count(), currentKID(a))
	}
	b := newTestSigner(t, st, clk)
	if st.count() != 1 || currentKID(b) != currentKID(a) {
		t.Fatalf("second signer made a key or picked another: stored %d", st.count())
	}
}

func TestNewFailsOnForeignKey(t *testing.T) {
	st := &memKeyStore{}
	clk := &fakeClock{t: testStart}
	newTestSigner(t, st, clk, func(c *Config) { c.MasterSecret = otherMaster })
	_, err := New(context.Background(), testConfig(st, clk))
	if !errors.Is(err, errUnwrap) {
		t.Fatalf("err = %v, want errUnwrap", err)
	}
}

func TestNewFailsOnStoreError(t *testing.T) {
	_, err := New(context.Background(), testConfig(&memKeyStore{listErr: errList}, &fakeClock{t: testStart}))
	if !errors.Is(err, errList) {
		t.Fatalf("err = %v", err)
	}
}

func TestRotationSchedule(t *testing.T) {
	st := &memKeyStore{}
	clk := &fakeClock{t: testStart}
	s := newTestSigner(t, st, clk)
	ctx := context.Background()
	k1 := currentKID(s)

	// Not yet due: nothing changes.
	clk.Add(DefaultKeyRotation - time.Minute)
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if st.count() != 1 {
		t.Fatalf("rotated early: %d keys", st.count())
	}
	// Due: the next key is published but k1 still signs.
	clk.Add(2 * time.Minute)
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if st.count() != 2 || currentKID(s) != k1 || len(publishedKIDs(s)) != 2 {
		t.Fatalf("after due: %d stored, current changed=%v, published %v", st.count(), currentKID(s) != k1, publishedKIDs(s))
	}
	k2 := publishedKIDs(s)[0]
	// PublishAhead later k2 signs, k1 is still published.
	clk.Add(DefaultPublishAhead)
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if currentKID(s) != k2 || !slices.Contains(publishedKIDs(s), k1) {
		t.Fatalf("current %q want %q; published %v", currentKID(s), k2, publishedKIDs(s))
	}
	// k1 retired: published until its last assertion expired plus margin.
	// Now is retire+1m.
	clk.Add(DefaultTTL + expiryMargin - time.Minute - time.Second)
	_ = s.Refresh(ctx)
	if !slices.Contains(publishedKIDs(s), k1) {
		t.Fatal("k1 unpublished before its assertions expired")
	}
	clk.Add(2 * time.Second)
	_ = s.Refresh(ctx)
	if slices.Contains(publishedKIDs(s), k1) || st.count() != 2 {
		t.Fatalf("k1 still published after expiry: %v", publishedKIDs(s))
	}
}

func TestReplicasConverge(t *testing.T) {
	st := &memKeyStore{}
	clk := &fakeClock{t: testStart}
	ctx := context.Background()
	a := newTestSigner(t, st, clk)
	b := newTestSigner(t, st, clk)
	if err := a.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(publishedKIDs(a), publishedKIDs(b)) || len(publishedKIDs(b)) != 2 {
		t.Fatalf("published differ: %v vs %v", publishedKIDs(a), publishedKIDs(b))
	}
	clk.Add(DefaultPublishAhead)
	_ = a.Refresh(ctx)
	_ = b.Refresh(ctx)
	if currentKID(a) != currentKID(b) || currentKID(a) != publishedKIDs(a)[0] {
		t.Fatalf("replicas sign with %q and %q", currentKID(a), currentKID(b))
	}
}

func TestRefreshSkipsPlantedKey(t *testing.T) {
	st := &memKeyStore{}
	clk := &fakeClock{t: testStart}
	s := newTestSigner(t, st, clk)
	k1 := currentKID(s)
	// A key sealed under another secret (an attacker with database write
	// access but not the master secret) must never be published.
	w, _ := newKeyWrapper(otherMaster, rand.Reader)
	priv, _ := generateKey(rand.Reader)
	rec, _ := w.seal(priv, clk.Now(), clk.Now().Add(48*time.Hour), clk.Now().Add(49*time.Hour))
	_ = st.PutSigningKey(context.Background(), rec)
	clk.Add(time.Hour)
	err := s.Refresh(context.Background())
	if !errors.Is(err, errUnwrap) {
		t.Fatalf("err = %v, want errUnwrap", err)
	}
	if slices.Contains(publishedKIDs(s), rec.ID) || currentKID(s) != k1 {
		t.Fatalf("planted key published or used: %v", publishedKIDs(s))
	}
}

func TestRefreshKeepsStateOnStoreError(t *testing.T) {
	st := &memKeyStore{}
	clk := &fakeClock{t: testStart}
	s := newTestSigner(t, st, clk)
	k1 := currentKID(s)
	st.listErr = errList
	if err := s.Refresh(context.Background()); !errors.Is(err, errList) {
		t.Fatalf("err = %v", err)
	}
	if currentKID(s) != k1 {
		t.Fatal("key set lost after a store error")
	}
}

func TestRunRefreshes(t *testing.T) {
	st := &memKeyStore{}
	clk := &fakeClock{t: testStart}
	a := newTestSigner(t, st, clk, func(c *Config) { c.ReloadInterval = time.Millisecond })
	b := newTestSigner(t, st, clk)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	if err := b.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(publishedKIDs(a)) != 2 {
		if time.Now().After(deadline) {
			t.Fatal("Run did not pick up the new key")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}
