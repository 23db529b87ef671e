package opkeys

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

func TestRestartKeepsKey(t *testing.T) {
	for _, alg := range []string{RS256, ES256} {
		t.Run(alg, func(t *testing.T) {
			path, c := dbPath(t), newClock()
			db := openDB(t, path)
			setAlg := func(cfg *Config) { cfg.Algorithm = alg }
			before := newRing(t, db, c, setAlg)
			k := current(t, before)
			if k.Algorithm() != alg {
				t.Fatalf("algorithm %s", k.Algorithm())
			}
			tok := sign(t, before)
			db.Close()

			c.Advance(time.Hour)
			db2 := openDB(t, path)
			after := newRing(t, db2, c, setAlg)
			if got := current(t, after); got.ID() != k.ID() {
				t.Fatalf("after restart the key is %s, want %s", got.ID(), k.ID())
			}
			if !verifies(t, after, tok) {
				t.Fatal("a token signed before the restart does not verify after it")
			}
			recs, err := db2.ListOPKeys(t.Context())
			if err != nil || len(recs) != 1 || recs[0].ID != k.ID() {
				t.Fatalf("stored keys = %v, %v; want just %s", recs, err, k.ID())
			}
		})
	}
}

func TestRotationSchedule(t *testing.T) {
	const (
		rotation = 24 * time.Hour
		ahead    = 10 * time.Minute
		reload   = time.Minute
		lifetime = 30 * time.Minute
	)
	c := newClock()
	r := newRing(t, openDB(t, dbPath(t)), c, func(cfg *Config) {
		cfg.Rotation, cfg.PublishAhead, cfg.ReloadInterval, cfg.TokenLifetime = rotation, ahead, reload, lifetime
	})
	a := current(t, r) // a fresh install signs at once
	aKey := r.state.Load().find(a.ID())
	if want := t0.Add(ahead + rotation); !aKey.retire.Equal(want) {
		t.Fatalf("retire at %s, want %s", aKey.retire, want)
	}
	if want := aKey.retire.Add(lifetime + expiryMargin); !aKey.expires.Equal(want) {
		t.Fatalf("expires at %s, want %s", aKey.expires, want)
	}

	// Not yet due: a refresh makes nothing.
	c.Set(aKey.retire.Add(-ahead - reload - time.Second))
	if err := r.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if ids := publishedIDs(t, r); !slices.Equal(ids, []string{a.ID()}) {
		t.Fatalf("published %v before rotation was due", ids)
	}

	// Due: the next key is published, but A still signs.
	c.Advance(2 * time.Second)
	if err := r.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	ids := publishedIDs(t, r)
	if len(ids) != 2 || ids[1] != a.ID() {
		t.Fatalf("published %v; want [next, %s]", ids, a.ID())
	}
	b := ids[0]
	if got := current(t, r); got.ID() != a.ID() {
		t.Fatal("the new key signs before it was published for PublishAhead")
	}
	tokA := sign(t, r)

	// After PublishAhead the new key signs, before A retires; no reload needed.
	c.Advance(ahead - time.Second)
	if got := current(t, r); got.ID() != a.ID() {
		t.Fatal("switched early")
	}
	c.Advance(time.Second)
	if got := current(t, r); got.ID() != b {
		t.Fatalf("current is %s, want the new key", got.ID())
	}
	if !c.Now().Before(aKey.retire) {
		t.Fatal("switched only after the old key retired")
	}
	tokB := sign(t, r)

	// A stays published until its tokens have expired, then is dropped.
	c.Set(aKey.expires.Add(-time.Microsecond))
	if !verifies(t, r, tokA) || !verifies(t, r, tokB) {
		t.Fatal("a token does not verify while its key should be published")
	}
	c.Set(aKey.expires)
	if ids := publishedIDs(t, r); !slices.Equal(ids, []string{b}) {
		t.Fatalf("published %v after the old key expired; want [%s]", ids, b)
	}
	if verifies(t, r, tokA) {
		t.Fatal("a token of an expired key still verifies")
	}
	if err := r.Refresh(t.Context()); err != nil { // and a reload does not bring it back
		t.Fatal(err)
	}
	if ids := publishedIDs(t, r); !slices.Equal(ids, []string{b}) {
		t.Fatalf("published %v after reload", ids)
	}
}

func TestReplicasConverge(t *testing.T) {
	path, c := dbPath(t), newClock()
	a := newRing(t, openDB(t, path), c)
	b := newRing(t, openDB(t, path), c) // a second process on the same file
	if ka, kb := current(t, a), current(t, b); ka.ID() != kb.ID() {
		t.Fatalf("replicas sign with %s and %s", ka.ID(), kb.ID())
	}
	tok := sign(t, a)
	if !verifies(t, b, tok) {
		t.Fatal("a token from one replica does not verify at the other")
	}

	if err := b.Rotate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := a.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if pa, pb := publishedIDs(t, a), publishedIDs(t, b); !slices.Equal(pa, pb) || len(pa) != 2 {
		t.Fatalf("published sets differ: %v and %v", pa, pb)
	}
	c.Advance(DefaultPublishAhead)
	if ka, kb := current(t, a), current(t, b); ka.ID() != kb.ID() || ka.ID() != publishedIDs(t, a)[0] {
		t.Fatalf("after rotation replicas sign with %s and %s", ka.ID(), kb.ID())
	}

	// Both find rotation due at once: each may add a key; they still agree.
	c.Set(b.state.Load().keys[0].retire.Add(-DefaultPublishAhead))
	for _, r := range []*Ring{a, b, a} {
		if err := r.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	c.Advance(DefaultPublishAhead)
	if pa, pb := publishedIDs(t, a), publishedIDs(t, b); !slices.Equal(pa, pb) {
		t.Fatalf("published sets differ: %v and %v", pa, pb)
	}
	if ka, kb := current(t, a), current(t, b); ka.ID() != kb.ID() {
		t.Fatalf("replicas sign with %s and %s", ka.ID(), kb.ID())
	}
}

func TestWrongMasterSecretRefused(t *testing.T) {
	path, c := dbPath(t), newClock()
	newRing(t, openDB(t, path), c)
	_, err := New(t.Context(), Config{Store: openDB(t, path), Master: otherMaster, Algorithm: ES256, Now: c.Now})
	if !errors.Is(err, ErrUnwrap) {
		t.Fatalf("New with another master secret = %v; want ErrUnwrap", err)
	}
	// Once every stored key has expired there is nothing to protect: a new
	// secret starts a new key set.
	c.Advance(DefaultRotation + time.Hour*2)
	if _, err := New(t.Context(), Config{Store: openDB(t, path), Master: otherMaster, Algorithm: ES256, Now: c.Now}); err != nil {
		t.Fatalf("New after every key expired: %v", err)
	}
}

func TestAlgorithmChange(t *testing.T) {
	path, c := dbPath(t), newClock()
	rs := current(t, newRing(t, openDB(t, path), c, func(cfg *Config) { cfg.Algorithm = RS256 }))
	c.Advance(time.Hour)
	r := newRing(t, openDB(t, path), c) // now ES256
	if got := current(t, r); got.ID() != rs.ID() {
		t.Fatal("the new algorithm's key signs before it was published ahead")
	}
	ids := publishedIDs(t, r)
	if len(ids) != 2 || ids[1] != rs.ID() {
		t.Fatalf("published %v", ids)
	}
	c.Advance(DefaultPublishAhead)
	if got := current(t, r); got.Algorithm() != ES256 || got.ID() != ids[0] {
		t.Fatalf("current %s %s; want the ES256 key", got.Algorithm(), got.ID())
	}
}

func TestStoreDownFailsClosed(t *testing.T) {
	c := newClock()
	s := &flaky{Store: openDB(t, dbPath(t))}
	r := newRing(t, s, c)
	k := current(t, r)
	s.down.Store(true)
	c.Set(r.state.Load().find(k.ID()).retire.Add(-DefaultPublishAhead))
	if err := r.Refresh(t.Context()); !errors.Is(err, errDown) {
		t.Fatalf("Refresh with the store down = %v", err)
	}
	if got := current(t, r); got.ID() != k.ID() { // the old set is kept
		t.Fatal("lost the key set when the store failed")
	}
	c.Set(r.state.Load().find(k.ID()).retire)
	if _, err := r.Current(t.Context()); err == nil {
		t.Fatal("signs with a retired key")
	}
	if ids := publishedIDs(t, r); !slices.Equal(ids, []string{k.ID()}) {
		t.Fatalf("published %v; the retired key must stay published until it expires", ids)
	}
	s.down.Store(false)
	if err := r.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := current(t, r); got.ID() == k.ID() {
		t.Fatal("no new key once the store is back")
	}
}

func TestNewStoreDown(t *testing.T) {
	s := &flaky{Store: openDB(t, dbPath(t))}
	s.down.Store(true)
	if _, err := New(t.Context(), Config{Store: s, Master: master}); !errors.Is(err, errDown) {
		t.Fatalf("New = %v; want the store's error", err)
	}
}

func TestConfig(t *testing.T) {
	db := openDB(t, dbPath(t))
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // parts of the error, |-separated; "" for none
	}{
		{"defaults", Config{Store: db, Master: master}, ""},
		{"no store", Config{Master: master}, "key store"},
		{"short master", Config{Store: db, Master: []byte("short")}, "master secret"},
		{"bad algorithm", Config{Store: db, Master: master, Algorithm: "HS256"}, "HS256"},
		{"negative", Config{Store: db, Master: master, TokenLifetime: -1}, "negative"},
		{"rotation too short", Config{Store: db, Master: master, Rotation: 5 * time.Minute}, "rotation"},
		{"every problem", Config{Algorithm: "none", Rotation: time.Minute}, "key store|none|rotation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(t.Context(), tc.cfg)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if k := current(t, r); k.Algorithm() != RS256 {
					t.Fatalf("default algorithm %s", k.Algorithm())
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, part := range strings.Split(tc.want, "|") {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q lacks %q", err, part)
				}
			}
		})
	}
}

// The records are what they claim: kid = RFC 7638 thumbprint (checked on
// open), algorithm and lifetimes as configured, the private key sealed.
func TestStoredRecord(t *testing.T) {
	db := openDB(t, dbPath(t))
	r := newRing(t, db, newClock())
	recs, err := db.ListOPKeys(t.Context())
	if err != nil || len(recs) != 1 {
		t.Fatal(recs, err)
	}
	rec := recs[0]
	if rec.ID != current(t, r).ID() || rec.Algorithm != ES256 || !rec.CreatedAt.Equal(t0) {
		t.Fatalf("record %+v", rec)
	}
	sealed := store.SigningKey{PrivateKey: rec.PrivateKey}
	if _, _, err := r.wrap.open(&sealed); err == nil {
		t.Fatal("opened a record stripped of its binding")
	}
}
