package session

import (
	"context"
	"errors"
	"testing"
	"time"
)

// BenchmarkLookupWarm measures the request hot path: a cached session.
// It fails if any iteration reached the store.
func BenchmarkLookupWarm(b *testing.B) {
	e := newEnv(b, func(o *Options) { o.Clock = time.Now })
	v, _ := e.create(b, e.m, "ada")
	ctx := context.Background()
	if _, err := e.m.Lookup(ctx, v); err != nil {
		b.Fatal(err)
	}
	before := e.st.calls.Load()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.m.Lookup(ctx, v); err != nil {
			b.Fatal(err)
		}
	}
	calls := e.st.calls.Load() - before
	b.ReportMetric(float64(calls)/float64(b.N), "storecalls/op")
	if calls != 0 {
		b.Fatalf("warm lookups made %d store calls", calls)
	}
}

// BenchmarkLookupWarmParallel is the hot path under concurrent requests
// for many sessions.
func BenchmarkLookupWarmParallel(b *testing.B) {
	e := newEnv(b, func(o *Options) { o.Clock = time.Now })
	var values []string
	for _, sub := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		v, _ := e.create(b, e.m, sub)
		values = append(values, v)
	}
	before := e.st.calls.Load()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := e.m.Lookup(context.Background(), values[i%len(values)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	if calls := e.st.calls.Load() - before; calls != 0 {
		b.Fatalf("warm lookups made %d store calls", calls)
	}
}

// BenchmarkLookupCold measures a cache miss served by SQLite.
func BenchmarkLookupCold(b *testing.B) {
	e := newEnv(b, func(o *Options) { o.Clock = time.Now })
	v, s := e.create(b, e.m, "ada")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		e.m.Invalidate(s.ID)
		if _, err := e.m.Lookup(ctx, v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupRevoked replays the cookie of a revoked session: it must
// be refused from memory. It fails if any iteration reached the store.
func BenchmarkLookupRevoked(b *testing.B) {
	e := newEnv(b, func(o *Options) { o.Clock = time.Now })
	v, s := e.create(b, e.m, "ada")
	ctx := context.Background()
	if err := e.m.Revoke(ctx, s.ID); err != nil {
		b.Fatal(err)
	}
	before := e.st.calls.Load()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.m.Lookup(ctx, v); !errors.Is(err, ErrNoSession) {
			b.Fatalf("revoked session: %v", err)
		}
	}
	calls := e.st.calls.Load() - before
	b.ReportMetric(float64(calls)/float64(b.N), "storecalls/op")
	if calls != 0 {
		b.Fatalf("revoked lookups made %d store calls", calls)
	}
}
