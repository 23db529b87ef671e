package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// defaultDSN is the local PostgreSQL server CI starts (user postgres,
// trust authentication, database test).
const defaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// schemaPrefix starts the name of every schema this program creates, so
// that one left behind (-keep, or a SIGKILL) says where it came from.
const schemaPrefix = "vigil_revbench_"

// database is where the gateways keep their shared state.
type database struct {
	driver string // store.driver: sqlite or postgres
	dsn    string // store.dsn: a file, or a DSN whose search_path is schema
	label  string // for people: SQLite or PostgreSQL
	schema string // the PostgreSQL schema made for this run; "" for SQLite
	server string // the DSN the schema was made on, to drop it
}

// openDatabase prepares the store for one run: a file in dir for SQLite;
// for PostgreSQL a fresh schema on the server at dsn, so that runs share
// nothing with each other or with other users of the database.
func openDatabase(ctx context.Context, store, dsn, dir string) (*database, error) {
	switch store {
	case "sqlite":
		return &database{driver: "sqlite", dsn: filepath.Join(dir, "vigil.db"), label: "SQLite"}, nil
	case "postgres":
		schema, err := newSchemaName()
		if err != nil {
			return nil, err
		}
		withPath, err := withSearchPath(dsn, schema)
		if err != nil {
			return nil, err
		}
		db := &database{driver: "postgres", dsn: withPath, label: "PostgreSQL", schema: schema, server: dsn}
		if err := db.exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
			return nil, err
		}
		return db, nil
	}
	return nil, fmt.Errorf("unknown store %q: want postgres or sqlite", store)
}

// drop removes the run's schema with everything in it. It has a context
// of its own: it must run after Ctrl-C has cancelled the run's.
func (db *database) drop() error {
	if db.schema == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.exec(ctx, "DROP SCHEMA "+pgx.Identifier{db.schema}.Sanitize()+" CASCADE"); err != nil {
		return fmt.Errorf("dropping schema %s: %w", db.schema, err)
	}
	return nil
}

// exec runs one statement on a connection of its own to the server.
func (db *database) exec(ctx context.Context, sql string) error {
	conn, err := connect(ctx, db.server)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	return nil
}

// connect opens a connection to dsn, or says clearly that the server does
// not answer and what to do about it. Errors never quote the DSN: it may
// hold a password.
func connect(ctx context.Context, dsn string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New("-dsn does not parse as a PostgreSQL connection string")
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s:%d does not answer: %w\n"+
			"start it (the default -dsn is the CI server: user postgres, trust authentication, database test), "+
			"name another server with -dsn, or run with -store sqlite", cfg.Host, cfg.Port, err)
	}
	return conn, nil
}

// newSchemaName is schemaPrefix and 8 random bytes in hex: a valid
// unquoted identifier, unlikely to meet another run's.
func newSchemaName() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random schema name: %w", err)
	}
	return schemaPrefix + hex.EncodeToString(b[:]), nil
}

// withSearchPath sets search_path to schema alone in dsn, a postgres://
// URL or key=value pairs: Vigil keeps its tables in the first schema of
// the search path. schema must be a plain identifier (newSchemaName's).
func withSearchPath(dsn, schema string) (string, error) {
	if strings.TrimSpace(dsn) == "" {
		return "", errors.New("-dsn is empty")
	}
	out := dsn + " search_path=" + schema // a later key=value setting wins
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", errors.New("-dsn does not parse as a URL")
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		out = u.String()
	}
	// Appending can be swallowed by what comes before ("application_name="
	// takes the next word as its value): check what the gateways will read.
	cfg, err := pgx.ParseConfig(out)
	if err != nil {
		return "", errors.New("-dsn does not parse as a PostgreSQL connection string")
	}
	if got := cfg.RuntimeParams["search_path"]; got != schema {
		return "", errors.New("cannot set search_path in -dsn; give it as a postgres:// URL")
	}
	return out, nil
}
