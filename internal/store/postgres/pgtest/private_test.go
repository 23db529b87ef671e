package pgtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/vigil-gw/vigil/internal/store/postgres/pgtest"
)

// TestPrivateStopStart: the private server really goes away on Stop (a
// connection open across it is ended, new ones are refused) and comes back
// on Start at the same address with the data it had.
func TestPrivateStopStart(t *testing.T) {
	pg := pgtest.Private(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pgtest.Exec(t, pg.DSN(), "CREATE TABLE kept (v text)", "INSERT INTO kept VALUES ('before the stop')")
	held, err := pgx.Connect(ctx, pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close(ctx)
	addr := pg.Addr()

	pg.Stop()
	if err := held.Ping(ctx); err == nil {
		t.Fatal("a connection open across Stop still answers")
	}
	if c, err := pgx.Connect(ctx, pg.DSN()); err == nil {
		c.Close(ctx)
		t.Fatal("a new connection succeeded while the server was stopped")
	}

	pg.Start()
	if pg.Addr() != addr {
		t.Fatalf("restarted at %s, was %s", pg.Addr(), addr)
	}
	c, err := pgx.Connect(ctx, pg.DSN())
	if err != nil {
		t.Fatalf("after Start: %v", err)
	}
	defer c.Close(ctx)
	var v string
	if err := c.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != "before the stop" {
		t.Fatalf("data after the restart: %q, %v", v, err)
	}
}
