// Package pgtest gives tests a real PostgreSQL to work in: the server at
// $VIGIL_TEST_POSTGRES or the CI database, and a fresh schema per test; or,
// for a test that must stop and start the server, one of its own (Private).
package pgtest

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

func ServerDSN(tb testing.TB) string {
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
		if required() {
			tb.Fatalf("PostgreSQL does not answer (set VIGIL_TEST_POSTGRES to its DSN): %v", probe.err)
		}
		tb.Skipf("PostgreSQL does not answer, skipping: %v", probe.err)
	}
	return dsn
}

// required reports whether PostgreSQL tests must run rather than skip: in
// CI (CI=true) or when VIGIL_REQUIRE_POSTGRES is set.
func required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("VIGIL_REQUIRE_POSTGRES") != ""
}

// dbSlots bounds how many tests use the server at once, whatever
// -parallel is: each holds up to ten connections, and the server's
// max_connections (100 by default) is shared with everything else.
var dbSlots = make(chan struct{}, 4)

// Parallel marks a test that uses the server as parallel and waits for
// a slot. Call it once, first thing, in a top-level test.
func Parallel(t *testing.T) {
	t.Parallel()
	dbSlots <- struct{}{}
	t.Cleanup(func() { <-dbSlots })
}

// Exec runs statements on a connection of its own.
func Exec(tb testing.TB, dsn string, sqls ...string) {
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

// Schema creates an empty schema, dropped when the test ends, and
// returns its name and a DSN whose search_path is it.
func Schema(tb testing.TB) (schema, dsn string) {
	tb.Helper()
	base := ServerDSN(tb)
	b := make([]byte, 8)
	rand.Read(b)
	schema = "vt_" + hex.EncodeToString(b)
	Exec(tb, base, "CREATE SCHEMA "+schema)
	tb.Cleanup(func() { Exec(tb, base, "DROP SCHEMA "+schema+" CASCADE") })
	return schema, WithParams(base, "search_path", schema)
}

// WithParams adds key=value settings to a DSN of either form.
func WithParams(dsn string, kv ...string) string {
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
