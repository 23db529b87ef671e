package assertion

import (
	"fmt"
	"testing"

	"github.com/vigil-gw/vigil/internal/store"
)

// BenchmarkMintCached is the request hot path: a busy session's assertion
// served from the cache.
func BenchmarkMintCached(b *testing.B) {
	clk := &fakeClock{t: testStart}
	s := newTestSigner(b, &memKeyStore{}, clk)
	sess := testSession(testStart)
	now := clk.Now()
	// A populated cache, so the lookup is not into a one-entry map.
	for i := range 5000 {
		o := testSession(testStart)
		o.ID = fmt.Sprintf("other-%d", i)
		if _, err := s.Mint(o, "wiki", now); err != nil {
			b.Fatal(err)
		}
	}
	want, err := s.Mint(sess, "wiki", now)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tok, err := s.Mint(sess, "wiki", now)
		if err != nil || tok != want {
			b.Fatal("cache miss")
		}
	}
}

// BenchmarkMintCachedParallel measures contention on the cache.
func BenchmarkMintCachedParallel(b *testing.B) {
	clk := &fakeClock{t: testStart}
	s := newTestSigner(b, &memKeyStore{}, clk)
	now := clk.Now()
	sessions := make([]*store.Session, 64)
	for i := range sessions {
		sessions[i] = testSession(testStart)
		sessions[i].ID = fmt.Sprintf("s-%d", i)
		if _, err := s.Mint(sessions[i], "wiki", now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.Mint(sessions[i%len(sessions)], "wiki", now); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkMintCold signs every time (the cache is emptied first).
func BenchmarkMintCold(b *testing.B) {
	clk := &fakeClock{t: testStart}
	s := newTestSigner(b, &memKeyStore{}, clk)
	sess := testSession(testStart)
	now := clk.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s.Forget(sess.ID)
		if _, err := s.Mint(sess, "wiki", now); err != nil {
			b.Fatal(err)
		}
	}
}
