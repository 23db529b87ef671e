package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/postgres"
)

func TestReopenIsIdempotent(t *testing.T) {
	parallel(t)
	db, dsn := openFresh(t, postgres.Options{})
	ctx := t.Context()
	if err := db.UpsertUser(ctx, &store.User{ID: "u1", Provider: "corp", Subject: "s"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for range 2 {
		again := openDSN(t, dsn, postgres.Options{})
		if _, err := again.GetUser(ctx, "u1"); err != nil {
			t.Fatalf("data lost on reopen: %v", err)
		}
		again.Close()
	}
}

// TestConcurrentOpenMigratesOnce starts several replicas at once on an
// empty schema: each migration must be applied exactly once (a second run
// of its CREATE TABLEs would fail that replica's Open).
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	parallel(t)
	_, dsn := freshSchema(t)
	const replicas = 6
	var wg sync.WaitGroup
	errs := make(chan error, replicas)
	for range replicas {
		wg.Go(func() {
			db, err := postgres.Open(context.Background(), withParams(dsn, "pool_max_conns", "2"), postgres.Options{})
			if err != nil {
				errs <- err
				return
			}
			db.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Open: %v", err)
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var rows, maxVersion int
	if err := conn.QueryRow(t.Context(), `SELECT count(*), max(version) FROM schema_migrations`).Scan(&rows, &maxVersion); err != nil {
		t.Fatal(err)
	}
	if rows < 1 || rows != maxVersion {
		t.Fatalf("schema_migrations holds %d rows up to version %d, want one per version", rows, maxVersion)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	parallel(t)
	db, dsn := openFresh(t, postgres.Options{})
	db.Close()
	adminExec(t, dsn, `INSERT INTO schema_migrations (version, name) VALUES (9999, 'future.sql')`)
	_, err := postgres.Open(t.Context(), dsn, postgres.Options{})
	if !errors.Is(err, postgres.ErrNewerSchema) {
		t.Fatalf("Open on a newer schema = %v, want ErrNewerSchema", err)
	}
}

func TestOpenRefusals(t *testing.T) {
	parallel(t)
	base := serverDSN(t)
	for _, tc := range []struct {
		name, dsn, want string
	}{
		{"empty", "", "empty dsn"},
		{"unparsable, password withheld", "postgres://vigil:s3cret-pw@127.0.0.1:notaport/test", "does not parse"},
		{"schema missing", withParams(base, "search_path", "vt_missing_schema"), "create it first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := postgres.Open(t.Context(), tc.dsn, postgres.Options{})
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("Open error %q: want it to say %q and never show the password", err, tc.want)
			}
		})
	}
}

func TestObserveEveryQuery(t *testing.T) {
	parallel(t)
	var (
		mu  sync.Mutex
		ops = map[string]int{}
		nf  int
	)
	db, _ := openFresh(t, postgres.Options{Observe: func(op string, d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		ops[op]++
		if errors.Is(err, store.ErrNotFound) {
			nf++
		}
	}})
	ctx := t.Context()
	_ = db.Ping(ctx)
	_, _ = db.GetSession(ctx, "missing")
	_, _ = db.MarkUsed(ctx, "k", time.Now())
	_, _ = db.AppendChange(ctx, store.ChangeRisk, "u", time.Now())
	_, _ = db.Changes(ctx, 0, 1)
	_, _ = db.LastChange(ctx)
	_, _ = db.PurgeChanges(ctx, time.Now())
	_, _ = db.DeleteProviderSessions(ctx, "corp")
	_ = db.RevokeApp(ctx, "wiki", time.Now())
	_, _ = db.AppRevocations(ctx)
	mu.Lock()
	defer mu.Unlock()
	for _, op := range []string{"migrate", "ping", "session.get", "replay.mark", "change.append", "change.list",
		"change.last", "change.purge", "session.delete_provider", "app.revoke", "app.revocations"} {
		if ops[op] != 1 {
			t.Errorf("observed %q %d times, want 1 (all: %v)", op, ops[op], ops)
		}
	}
	if nf != 1 {
		t.Errorf("observer saw ErrNotFound %d times, want 1", nf)
	}
}

func TestClosedDBFails(t *testing.T) {
	parallel(t)
	db, _ := openFresh(t, postgres.Options{})
	db.Close()
	if _, err := db.GetSession(context.Background(), "x"); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetSession on a closed store = %v; want a failure other than ErrNotFound", err)
	}
}
