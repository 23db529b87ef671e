package postgres_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/postgres"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// The same operations on both backends, to compare them (ns/op):
//
//	go test -run '^$' -bench . ./internal/store/postgres/

type benchBackend interface {
	UpsertUser(ctx context.Context, u *store.User) error
	CreateSession(ctx context.Context, s *store.Session) error
	GetSession(ctx context.Context, id string) (*store.Session, error)
	AppendChange(ctx context.Context, kind, key string, at time.Time) (int64, error)
}

func benchBackends(b *testing.B, run func(b *testing.B, db benchBackend)) {
	b.Run("sqlite", func(b *testing.B) {
		db, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "vigil.db"), sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		run(b, db)
	})
	b.Run("postgres", func(b *testing.B) {
		db, _ := openFresh(b, postgres.Options{})
		run(b, db)
	})
}

// BenchmarkGetSession reads one session, as a replica does on a cache miss.
func BenchmarkGetSession(b *testing.B) {
	benchBackends(b, func(b *testing.B, db benchBackend) {
		ctx := b.Context()
		now := time.Now()
		if err := db.UpsertUser(ctx, &store.User{ID: "u1", Provider: "corp", Subject: "s"}); err != nil {
			b.Fatal(err)
		}
		s := &store.Session{ID: "s1", UserID: "u1", Provider: "corp", CreatedAt: now, LastSeenAt: now,
			ExpiresAt: now.Add(time.Hour), IP: "192.0.2.7", UserAgent: "Mozilla/5.0 (bench)",
			Identity: identity.Identity{Subject: "s", Provider: "corp", Email: "ada@example.com",
				Groups: []string{"eng"}, AMR: []string{"pwd"}, AuthTime: now}}
		if err := db.CreateSession(ctx, s); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := db.GetSession(ctx, "s1"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAppendChange commits one change to the feed (and, for
// PostgreSQL, notifies the listeners).
func BenchmarkAppendChange(b *testing.B) {
	benchBackends(b, func(b *testing.B, db benchBackend) {
		ctx := b.Context()
		now := time.Now()
		for b.Loop() {
			if _, err := db.AppendChange(ctx, store.ChangeUserRevoked, "u1", now); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAppendChangeParallel commits changes from several goroutines
// at once: both backends serialise them (SQLite's single writer, the
// PostgreSQL feed's counter row), so this is the feed's throughput.
func BenchmarkAppendChangeParallel(b *testing.B) {
	benchBackends(b, func(b *testing.B, db benchBackend) {
		ctx := b.Context()
		now := time.Now()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := db.AppendChange(ctx, store.ChangeUserRevoked, "u1", now); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
