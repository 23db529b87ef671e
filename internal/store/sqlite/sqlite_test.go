package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
	"github.com/vigil-gw/vigil/internal/store/storetest"
)

func openTemp(t *testing.T, opts sqlite.Options) (*sqlite.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vigil.db")
	db, err := sqlite.Open(t.Context(), path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Backend {
		db, _ := openTemp(t, sqlite.Options{})
		return db
	})
}

func TestConformanceInMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Backend {
		db, err := sqlite.Open(t.Context(), ":memory:", sqlite.Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestReopenIsIdempotent(t *testing.T) {
	db, path := openTemp(t, sqlite.Options{})
	ctx := t.Context()
	if err := db.UpsertUser(ctx, &store.User{ID: "u1", Provider: "corp", Subject: "s"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for range 2 {
		again, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		if _, err := again.GetUser(ctx, "u1"); err != nil {
			t.Fatalf("data lost on reopen: %v", err)
		}
		again.Close()
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	ctx := t.Context()
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlite.MarkSchemaVersionForTest(ctx, db, 9999); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = sqlite.Open(ctx, path, sqlite.Options{})
	if !errors.Is(err, sqlite.ErrNewerSchema) {
		t.Fatalf("Open on newer schema = %v; want ErrNewerSchema", err)
	}
}

func TestObserveEveryQuery(t *testing.T) {
	var (
		mu  sync.Mutex
		ops = map[string]int{}
		nf  int
	)
	db, _ := openTemp(t, sqlite.Options{Observe: func(op string, d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		ops[op]++
		if errors.Is(err, store.ErrNotFound) {
			nf++
		}
		if d < 0 {
			panic("negative duration")
		}
	}})
	ctx := t.Context()
	_ = db.Ping(ctx)
	_, _ = db.GetSession(ctx, "missing")
	_, _ = db.MarkUsed(ctx, "k", time.Now())
	mu.Lock()
	defer mu.Unlock()
	for _, op := range []string{"migrate", "ping", "session.get", "replay.mark"} {
		if ops[op] != 1 {
			t.Errorf("observed %q %d times, want 1 (all: %v)", op, ops[op], ops)
		}
	}
	if nf != 1 {
		t.Errorf("observer saw ErrNotFound %d times, want 1", nf)
	}
}

func TestClosedDBFails(t *testing.T) {
	db, _ := openTemp(t, sqlite.Options{})
	db.Close()
	_, err := db.GetSession(context.Background(), "x")
	if err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetSession on closed db = %v; want a failure other than ErrNotFound", err)
	}
}

func TestWALMode(t *testing.T) {
	db, _ := openTemp(t, sqlite.Options{})
	mode, err := sqlite.JournalModeForTest(t.Context(), db)
	if err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
}

// The SQLite store is a whole store.Backend.
var _ store.Backend = (*sqlite.DB)(nil)
