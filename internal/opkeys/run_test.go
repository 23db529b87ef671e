package opkeys

import (
	"slices"
	"testing"
	"time"
)

// Run adopts a key another replica made without being told.
func TestRunReloads(t *testing.T) {
	path, c := dbPath(t), newClock()
	fast := func(cfg *Config) { cfg.ReloadInterval = 5 * time.Millisecond }
	a := newRing(t, openDB(t, path), c, fast)
	b := newRing(t, openDB(t, path), c, fast)
	done := make(chan struct{})
	go func() { a.Run(t.Context()); close(done) }()
	t.Cleanup(func() { <-done }) // before the databases close
	c.Advance(time.Minute)
	if err := b.Rotate(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := publishedIDs(t, b)
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Equal(publishedIDs(t, a), want) {
		if time.Now().After(deadline) {
			t.Fatalf("Run never reloaded: %v, want %v", publishedIDs(t, a), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func BenchmarkCurrent(b *testing.B) {
	r := benchRing(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Current(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPublished(b *testing.B) {
	r := benchRing(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Published(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefresh is one reload: list three RSA keys and unwrap them.
func BenchmarkRefresh(b *testing.B) {
	r := benchRing(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Refresh(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRing holds three RS256 keys: the current one, one published ahead
// and one retired but still published.
func benchRing(b *testing.B) *Ring {
	c := newClock()
	r := newRing(b, openDB(b, dbPath(b)), c, func(cfg *Config) { cfg.Algorithm = RS256 })
	for range 2 {
		c.Advance(time.Hour)
		if err := r.Rotate(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	if n := len(publishedIDs(b, r)); n != 3 {
		b.Fatalf("%d keys", n)
	}
	return r
}
