package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store/postgres"
	"github.com/vigil-gw/vigil/internal/store/postgres/pgtest"
)

// The server, schemas and connection slots come from pgtest.
func serverDSN(tb testing.TB) string                      { return pgtest.ServerDSN(tb) }
func parallel(t *testing.T)                               { pgtest.Parallel(t) }
func adminExec(tb testing.TB, dsn string, sqls ...string) { pgtest.Exec(tb, dsn, sqls...) }
func freshSchema(tb testing.TB) (schema, dsn string)      { return pgtest.Schema(tb) }
func withParams(dsn string, kv ...string) string          { return pgtest.WithParams(dsn, kv...) }

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
