package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/vigil-gw/vigil/internal/store/postgres"
)

// The tests run against a real server: VIGIL_TEST_POSTGRES, or the CI
// database (user postgres, trust auth, database test). Each test gets a
// schema of its own, dropped afterwards, so tests run in parallel and
// leave nothing behind. Without a server they skip, except in CI
// (CI=true or VIGIL_REQUIRE_POSTGRES set), where a missing server fails.
const defaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable&connect_timeout=5"

var probe struct {
	once sync.Once
	err  error
}

func serverDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("VIGIL_TEST_POSTGRES")
	if dsn == "" {
		dsn = defaultDSN
	}
	probe.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err == nil {
			err = conn.Close(ctx)
		}
		probe.err = err
	})
	if probe.err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("VIGIL_REQUIRE_POSTGRES") != "" {
			tb.Fatalf("PostgreSQL does not answer (set VIGIL_TEST_POSTGRES to its DSN): %v", probe.err)
		}
		tb.Skipf("PostgreSQL does not answer, skipping: %v", probe.err)
	}
	return dsn
}

// dbSlots bounds how many tests use the server at once, whatever
// -parallel is: each holds up to ten connections, and the server's
// max_connections (100 by default) is shared with everything else.
var dbSlots = make(chan struct{}, 4)

// parallel marks a test that uses the server as parallel and waits for
// a slot. Call it once, first thing, in a top-level test.
func parallel(t *testing.T) {
	t.Parallel()
	dbSlots <- struct{}{}
	t.Cleanup(func() { <-dbSlots })
}

// adminExec runs statements on a connection of its own.
func adminExec(tb testing.TB, dsn string, sqls ...string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	for _, q := range sqls {
		if _, err := conn.Exec(ctx, q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
}

// freshSchema creates an empty schema, dropped when the test ends, and
// returns its name and a DSN whose search_path is it.
func freshSchema(tb testing.TB) (schema, dsn string) {
	tb.Helper()
	base := serverDSN(tb)
	b := make([]byte, 8)
	rand.Read(b)
	schema = "vt_" + hex.EncodeToString(b)
	adminExec(tb, base, "CREATE SCHEMA "+schema)
	tb.Cleanup(func() { adminExec(tb, base, "DROP SCHEMA "+schema+" CASCADE") })
	return schema, withParams(base, "search_path", schema)
}

// withParams adds key=value settings to a DSN of either form.
func withParams(dsn string, kv ...string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			panic(err)
		}
		q := u.Query()
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	for i := 0; i+1 < len(kv); i += 2 {
		dsn += " " + kv[i] + "=" + kv[i+1]
	}
	return dsn
}

// openDSN opens a store on dsn, closed when the test ends.
func openDSN(tb testing.TB, dsn string, opts postgres.Options) *postgres.DB {
	tb.Helper()
	// Small pools: many tests run at once against one server.
	db, err := postgres.Open(context.Background(), withParams(dsn, "pool_max_conns", "4"), opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// openFresh opens a store on a new, empty schema.
func openFresh(tb testing.TB, opts postgres.Options) (*postgres.DB, string) {
	tb.Helper()
	_, dsn := freshSchema(tb)
	return openDSN(tb, dsn, opts), dsn
}

// eventually polls cond until it holds or a generous deadline passes.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
