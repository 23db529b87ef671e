// Command revocation measures how long a revocation takes to reach the
// other replicas of a cluster: N `vigil serve` processes (A, B, C, ...;
// three by default) share one database (a fresh PostgreSQL schema by
// default, or one SQLite file) and the session secret; a user signs in
// through A over real OIDC (the demo IdP, in this process), every other
// replica serves her once from its cache, then A's admin API revokes the
// session and every other replica is polled with the old cookie, all from
// the same instant, until each sends her to sign in again. A trial's
// figure is when the last of them did.
//
//	go run ./bench/revocation                 # 200 trials, 3 replicas, PostgreSQL, session scope
//	go run ./bench/revocation -store sqlite   # the same on one SQLite file
//	go run ./bench/revocation -scope user     # revoke every session of the user
//
// The last line is machine-readable: "revocation p99 ms: N", the p99 of
// the time until every other replica refused.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/vigil-gw/vigil/bench/internal/stats"
	"github.com/vigil-gw/vigil/internal/testenv/vigilexec"
)

// The demo IdP's user and her password (public demo data).
const (
	user     = "alice"
	password = "alice-demo-password"
	email    = "alice@example.com"
)

// maxReplicas: replicas are named by one letter.
const maxReplicas = 26

type options struct {
	trials   int
	replicas int
	scope    string
	store    string // postgres or sqlite
	dsn      string // the PostgreSQL server; a schema is made on it per run
	poll     time.Duration
	gap      time.Duration
	jitter   time.Duration
	timeout  time.Duration
	vigil    string
	keep     bool
}

func main() {
	var o options
	flag.IntVar(&o.trials, "trials", 200, "number of trials")
	flag.IntVar(&o.replicas, "replicas", 3, fmt.Sprintf("gateway processes, 2 to %d: A revokes, the others are measured", maxReplicas))
	flag.StringVar(&o.scope, "scope", "session", "what the admin revokes: session (one session) or user (all of the user's)")
	flag.StringVar(&o.store, "store", "postgres", "the gateways' shared database: postgres (a fresh schema on -dsn) or sqlite (one file)")
	flag.StringVar(&o.dsn, "dsn", defaultDSN, "the PostgreSQL server for -store postgres; a schema is created on it per run and dropped after")
	flag.DurationVar(&o.poll, "poll", time.Millisecond, "pause between requests to each replica while waiting for the denial")
	flag.DurationVar(&o.gap, "gap", 0, "pause between trials")
	flag.DurationVar(&o.jitter, "jitter", 10*time.Millisecond,
		"random pause, 0 up to this, before each revoke: revocations land anywhere in SQLite's 10 ms poll cycle")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "longest wait for one denial before the run fails")
	flag.StringVar(&o.vigil, "vigil", "", "a vigil binary to run instead of building ./cmd/vigil")
	flag.BoolVar(&o.keep, "keep", false, "keep the working directory (configs, logs, SQLite file) and the PostgreSQL schema")
	flag.Parse()
	if err := o.check(); err != nil || flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "revocation: %v\n", cmp.Or(err, errors.New("no arguments expected")))
		os.Exit(2)
	}
	// Ctrl-C or SIGTERM ends the run; the deferred clean-up stops the gateways.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	_, err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "revocation:", err)
		os.Exit(1)
	}
}

func (o options) check() error {
	if o.trials < 1 || o.replicas < 2 || o.replicas > maxReplicas || (o.scope != "session" && o.scope != "user") ||
		(o.store != "postgres" && o.store != "sqlite") || o.poll < 0 || o.jitter < 0 || o.gap < 0 || o.timeout <= 0 {
		return fmt.Errorf("want -trials >= 1, -replicas 2 to %d, -scope session or user, -store postgres or sqlite, "+
			"-poll, -jitter and -gap >= 0, -timeout > 0", maxReplicas)
	}
	return nil
}

// run measures o.trials revocations and prints the results, the
// machine-readable line last.
func run(ctx context.Context, o options) (_ results, err error) {
	dir, err := os.MkdirTemp("", "vigil-revocation-")
	if err != nil {
		return results{}, err
	}
	defer func() {
		// Kept after a failure, for its logs; not after Ctrl-C.
		if o.keep || (err != nil && ctx.Err() == nil) {
			fmt.Fprintln(os.Stderr, "revocation: working directory kept:", dir)
			return
		}
		os.RemoveAll(dir)
	}()
	bin := o.vigil
	if bin == "" {
		fmt.Println("building ./cmd/vigil ...")
		if bin, err = vigilexec.Build(ctx, dir, false); err != nil {
			return results{}, err
		}
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello from the app\n"))
	}))
	defer upstream.Close()

	db, err := openDatabase(ctx, o.store, o.dsn, dir)
	if err != nil {
		return results{}, err
	}
	// Deferred before the gateways' stop, so it runs after it.
	defer func() {
		if db.schema == "" {
			return
		}
		if o.keep {
			fmt.Fprintf(os.Stderr, "revocation: PostgreSQL schema kept: %s (DROP SCHEMA %s CASCADE removes it)\n", db.schema, db.schema)
			return
		}
		err = errors.Join(err, db.drop())
	}()

	c, closeIdP, err := startCluster(ctx, bin, dir, upstream.URL, o.replicas, db)
	if err != nil {
		return results{}, err
	}
	defer closeIdP()
	defer c.stop()

	res := results{schema: db.schema}
	var urls []string
	for _, g := range c.gws {
		urls = append(urls, g.name+" "+g.url)
	}
	for _, g := range c.others() {
		res.names = append(res.names, g.name)
	}
	where := db.label
	if db.schema != "" {
		where += " (schema " + db.schema + ")"
	}
	fmt.Printf("revocation: %d trials, %d replicas on %s, scope %s, %s, poll every %s, jitter %s, gap %s, GOMAXPROCS=%d%s\n",
		o.trials, o.replicas, where, o.scope, strings.Join(urls, ", "), o.poll, o.jitter, o.gap, runtime.GOMAXPROCS(0), stats.LoadAverage())
	br, adm := newBrowser(), newAdmin(c.a().url, c.adminToken)
	// A fixed seed: the same pauses on every run.
	rng := rand.New(rand.NewPCG(20, 26))
	for i := 1; i <= o.trials; i++ {
		if i > 1 && o.gap > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(o.gap):
			}
		}
		if err := errors.Join(ctx.Err(), c.alive()); err != nil {
			return results{}, err
		}
		s, err := trial(ctx, o, c, br, adm, rng)
		if err != nil {
			return results{}, fmt.Errorf("trial %d: %w", i, err)
		}
		res.samples = append(res.samples, s)
		if i%20 == 0 || i == o.trials {
			all := res.all()
			fmt.Printf("trial %d/%d: last %s ms, p50 so far %s ms, max so far %s ms\n",
				i, o.trials, ms(s.all()), ms(quantile(all, 0.50)), ms(quantile(all, 1)))
		}
	}
	res.print(os.Stdout)
	return res, nil
}
