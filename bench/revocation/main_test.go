package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/vigil-gw/vigil/internal/store/postgres/pgtest"
	"github.com/vigil-gw/vigil/internal/testenv/vigilexec"
)

func TestQuantile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // reversed: quantile must sort
	}
	tests := []struct {
		name string
		ds   []time.Duration
		q    float64
		want time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one", ms(7), 0.99, 7 * time.Millisecond},
		{"median of odd", ms(3, 1, 2), 0.5, 2 * time.Millisecond},
		{"median of even is the lower", ms(4, 1, 3, 2), 0.5, 2 * time.Millisecond},
		{"p99 of 100", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"p90 of 100", ms(hundred...), 0.90, 90 * time.Millisecond},
		{"max", ms(hundred...), 1, 100 * time.Millisecond},
		{"zero quantile is the minimum", ms(5, 9), 0, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quantile(tt.ds, tt.q); got != tt.want {
				t.Errorf("quantile(%v, %v) = %v, want %v", tt.ds, tt.q, got, tt.want)
			}
		})
	}
}

func TestSignedOut(t *testing.T) {
	tests := []struct {
		name string
		a    answer
		want bool
	}{
		{"served", answer{status: http.StatusOK}, false},
		{"redirect to sign in", answer{status: http.StatusFound, location: "http://127.0.0.1:1/.vigil/login?rd=x"}, true},
		{"redirect elsewhere", answer{status: http.StatusFound, location: "http://127.0.0.1:1/other"}, false},
		{"revoked page", answer{status: http.StatusUnauthorized, body: []byte(`<p>code: session-revoked</p>`)}, true},
		{"other 401", answer{status: http.StatusUnauthorized, body: []byte(`unauthenticated`)}, false},
		{"server error", answer{status: http.StatusInternalServerError, body: []byte(`session-revoked`)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.signedOut(); got != tt.want {
				t.Errorf("signedOut() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOptionsCheck(t *testing.T) {
	good := options{trials: 1, replicas: 3, scope: "session", store: "postgres", timeout: time.Second}
	if err := good.check(); err != nil {
		t.Fatalf("good options refused: %v", err)
	}
	for name, change := range map[string]func(*options){
		"no trials":     func(o *options) { o.trials = 0 },
		"one replica":   func(o *options) { o.replicas = 1 },
		"27 replicas":   func(o *options) { o.replicas = maxReplicas + 1 },
		"unknown scope": func(o *options) { o.scope = "provider" },
		"unknown store": func(o *options) { o.store = "mysql" },
		"empty store":   func(o *options) { o.store = "" },
		"no timeout":    func(o *options) { o.timeout = 0 },
		"negative poll": func(o *options) { o.poll = -1 },
	} {
		o := good
		change(&o)
		if err := o.check(); err == nil {
			t.Errorf("%s: accepted %+v", name, o)
		}
	}
}

func TestWithSearchPath(t *testing.T) {
	const schema = "vigil_revbench_0123456789abcdef"
	for _, dsn := range []string{
		defaultDSN,
		"postgresql://u:p%40ss@db:5433/x?search_path=public&sslmode=disable",
		"host=127.0.0.1 user=postgres dbname=test sslmode=disable",
		"host=127.0.0.1 search_path=public",
		"host=127.0.0.1 password='a b'",
	} {
		got, err := withSearchPath(dsn, schema)
		if err != nil {
			t.Errorf("withSearchPath(%q): %v", dsn, err)
			continue
		}
		cfg, err := pgx.ParseConfig(got)
		if err != nil {
			t.Errorf("withSearchPath(%q) = %q, which does not parse: %v", dsn, got, err)
			continue
		}
		if cfg.RuntimeParams["search_path"] != schema {
			t.Errorf("withSearchPath(%q) = %q: search_path %q", dsn, got, cfg.RuntimeParams["search_path"])
		}
	}
	for _, dsn := range []string{"", "   ", "host=h application_name=", "postgres://%zz@h/db", "not a dsn"} {
		if got, err := withSearchPath(dsn, schema); err == nil {
			t.Errorf("withSearchPath(%q) = %q, want an error", dsn, got)
		}
	}
	if _, err := withSearchPath("postgres://u:hunter2@h:99999999/db", schema); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a bad DSN: %v (want an error without the password)", err)
	}
}

// FuzzWithSearchPath: -dsn is the user's text; whatever it is, the
// result is an error or a DSN whose search_path is the schema alone.
func FuzzWithSearchPath(f *testing.F) {
	for _, s := range []string{defaultDSN, "host=h user=u", "host=h application_name=", "postgres://u:p@h/d?search_path=a,b",
		"host='h' password='x\\' y'", "postgresql:///d?host=/tmp", "a=b\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		const schema = "vigil_revbench_00"
		got, err := withSearchPath(dsn, schema)
		if err != nil {
			return
		}
		cfg, err := pgx.ParseConfig(got)
		if err != nil {
			t.Fatalf("withSearchPath(%q) = %q, which does not parse: %v", dsn, got, err)
		}
		if p := cfg.RuntimeParams["search_path"]; p != schema {
			t.Fatalf("withSearchPath(%q) = %q: search_path %q", dsn, got, p)
		}
	})
}

func TestPostgresNotAnswering(t *testing.T) {
	// Port 1 on loopback: nothing listens, the connection is refused at once.
	_, err := openDatabase(t.Context(), "postgres", "postgres://postgres:hunter2@127.0.0.1:1/test?sslmode=disable", t.TempDir())
	if err == nil {
		t.Fatal("no error without a server")
	}
	for _, want := range []string{"127.0.0.1:1 does not answer", "start it", "-store sqlite"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error shows the password: %v", err)
	}
}

func TestResultsPrint(t *testing.T) {
	d := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	r := results{names: []string{"B", "C"}, samples: []sample{
		{call: d(2), others: []time.Duration{d(3), d(7)}},
		{call: d(4), others: []time.Duration{d(9), d(1)}},
		{call: d(9), others: []time.Duration{d(5), d(6)}},
	}}
	if got := r.all(); !slices.Equal(got, []time.Duration{d(7), d(9), d(6)}) {
		t.Errorf("all = %v, want the slowest replica of each trial", got)
	}
	var w bytes.Buffer
	r.print(&w)
	out := w.String()
	for _, want := range []string{"revoke call to denial on all others", "\n  on B ", "\n  on C ", "revoke call on A"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// p99 of 7, 9, 6 is 9; the last line is the all-others p99.
	if !strings.HasSuffix(out, "\nrevocation p99 ms: 9.0\n") {
		t.Errorf("last line is not the all-others p99:\n%s", out)
	}
	// After the call: 7-2, max(0, 9-4), max(0, 6-9) = 5, 5, 0.
	if !strings.Contains(out, "after the call returned") || !regexp.MustCompile(`after the call returned\s+5\.0\s+5\.0\s+5\.0\s+5\.0`).MatchString(out) {
		t.Errorf("after-the-call row wrong:\n%s", out)
	}
}

// TestRun runs the whole benchmark for three trials in each mode: it
// builds vigil and starts its processes, so it is skipped with -short.
// The PostgreSQL modes need the server (required in CI, as pgtest says).
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds vigil and runs gateway processes")
	}
	bin, err := vigilexec.Build(t.Context(), t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		store    string
		replicas int
		scope    string
	}{
		{"sqlite", 2, "session"},
		{"sqlite", 3, "user"},
		{"postgres", 3, "session"},
		{"postgres", 3, "user"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d/%s", tt.store, tt.replicas, tt.scope), func(t *testing.T) {
			o := options{trials: 3, replicas: tt.replicas, scope: tt.scope, store: tt.store, vigil: bin,
				poll: time.Millisecond, jitter: 10 * time.Millisecond, timeout: 20 * time.Second}
			if tt.store == "postgres" {
				o.dsn = pgtest.ServerDSN(t)
			}
			res, err := run(t.Context(), o)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"B", "C"}[:tt.replicas-1]
			if !slices.Equal(res.names, want) || len(res.samples) != 3 {
				t.Fatalf("measured %v over %d trials, want %v over 3", res.names, len(res.samples), want)
			}
			for i, s := range res.samples {
				if len(s.others) != len(want) || s.call <= 0 || slices.Min(s.others) <= 0 || s.all() > o.timeout {
					t.Errorf("trial %d: %+v", i+1, s)
				}
			}
			if tt.store == "postgres" {
				checkSchemaDropped(t, o.dsn, res.schema)
			}
		})
	}
}

// checkSchemaDropped fails when the run's schema is still on the server.
func checkSchemaDropped(t *testing.T, dsn, schema string) {
	t.Helper()
	if !strings.HasPrefix(schema, schemaPrefix) {
		t.Fatalf("the run on PostgreSQL names schema %q", schema)
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, schema).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("schema %s left on the server", schema)
	}
}
