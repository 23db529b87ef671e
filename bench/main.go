// Command bench measures the gateway's cost and its peers in one run: the
// same load against (a) the upstream directly, (b) a bare
// httputil.ReverseProxy (and (b') the same with a copy-buffer pool), (c)
// Vigil with a signed-in session, a 10-rule policy and the signed
// assertion, and (d) oauth2-proxy (the pinned release, a separate process)
// with a cookie session. Both gateways sign alice in through the demo IdP
// over real OIDC, like a browser. Rounds alternate between the targets so
// that machine noise hits them alike. It also measures the memory per
// cached session and, through bench/revocation, how fast a revocation
// made through one of three gateway processes reaches the other two (on
// PostgreSQL by default).
//
//	go run ./bench            # 64 connections, 3 rounds of 5s per target
//
// The last lines are machine-readable: "ratio vigil/bare: X.XX",
// "ratio vigil/oauth2-proxy: X.XX" (throughput), "session bytes: N" and
// "revocation p99 ms: N". See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/vigil-gw/vigil/bench/internal/stats"
)

type options struct {
	conns      int
	dur        time.Duration
	rounds     int
	cpuprofile string
	sessions   int
	revocation bool
	trials     int
	revStore   string // the revocation benchmark's database: postgres or sqlite
	o2pBin     string
}

func main() {
	var o options
	flag.IntVar(&o.conns, "c", 64, "concurrent connections")
	flag.DurationVar(&o.dur, "d", 5*time.Second, "duration of each round per target")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; each loads every target once, in rotating order")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the load phase to this file")
	flag.IntVar(&o.sessions, "sessions", 100_000, "cached sessions for the memory measurement (also a tenth of it); 0 skips it")
	flag.BoolVar(&o.revocation, "revocation", true, "also run go run ./bench/revocation and report its p99")
	flag.IntVar(&o.trials, "trials", 200, "revocation trials")
	flag.StringVar(&o.revStore, "revocation-store", "postgres",
		"the revocation benchmark's shared database: postgres (the local server, see bench/revocation) or sqlite")
	flag.StringVar(&o.o2pBin, "oauth2-proxy", "", "oauth2-proxy binary (must be the pinned version); default: find or go install it")
	flag.Parse()
	if o.conns < 1 || o.dur <= 0 || o.rounds < 1 || o.sessions < 0 || o.trials < 1 || storeLabels[o.revStore] == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "bench: want -c >= 1, -d > 0, -rounds >= 1, -sessions >= 0, -trials >= 1, -revocation-store postgres or sqlite and no arguments")
		os.Exit(2)
	}
	// Ctrl-C or SIGTERM ends the run; the clean-up then stops oauth2-proxy.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	fmt.Printf("bench: %d connections, %d rounds x %s per target, GOMAXPROCS=%d%s\n",
		o.conns, o.rounds, o.dur, runtimeProcs(), stats.LoadAverage())
	// Memory first, on a quiet heap; the manager is gone before the load.
	sessionBytes := int64(-1)
	if o.sessions > 0 {
		b, err := memoryReport(ctx, o.sessions)
		if err != nil {
			return err
		}
		sessionBytes = b
	}

	e, err := startEnv(ctx, o)
	if err != nil {
		return err
	}
	defer e.stop()
	if err := loadRounds(ctx, o, e); err != nil {
		return err
	}
	e.stop() // a quiet machine for the revocation run

	printTable(os.Stdout, e.targets(), e.bare)
	fmt.Printf("ratio vigil/bare+pool: %.2f (Vigil's own cost, buffer pooling equal)\n", ratio(e.vigil.res.rps(), e.pooled.res.rps()))
	printGoals(os.Stdout, o.conns, e.vigil, e.bare, e.o2p, sessionBytes)

	rev := ""
	if o.revocation {
		if rev, err = runRevocation(ctx, o.trials, o.revStore); err != nil {
			return err
		}
		printRevocationGoal(os.Stdout, revocationSetup(o.revStore), rev)
	}
	fmt.Printf("\nbench: done%s\n", stats.LoadAverage())
	printFinal(os.Stdout, e.vigil, e.bare, e.o2p, sessionBytes, rev)
	return nil
}

// loadRounds loads every target once per round, starting each round one
// target further along so that none always follows the same neighbour.
func loadRounds(ctx context.Context, o options, e *env) error {
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	queriesBefore, err := storeQueries(e.metricsURL)
	if err != nil {
		return err
	}
	ts := e.targets()
	for i := range o.rounds {
		line := fmt.Sprintf("round %d:", i+1)
		for k := range ts {
			if err := errors.Join(ctx.Err(), e.o2pProc.alive()); err != nil {
				return err
			}
			t := ts[(i+k)%len(ts)]
			r := load(t.spec, o.conns, o.dur)
			if r.errors > 0 {
				return fmt.Errorf("round %d: %d of %d requests to %s failed (last: %v)", i+1, r.errors, r.errors+r.n, t.short, r.lastErr)
			}
			t.res.add(r)
			line += fmt.Sprintf(" %s %.0f req/s,", t.short, r.rps())
		}
		fmt.Println(line[:len(line)-1])
	}
	queriesAfter, err := storeQueries(e.metricsURL)
	if err != nil {
		return err
	}
	n, ops := queryDelta(queriesBefore, queriesAfter)
	fmt.Printf("store queries during vigil load: %.0f over %d requests = %.4f per request (%s; change.* are the\n"+
		"  change-feed follower's background reads, session.touch the last-seen write-behind: none is on the request path)\n",
		n, e.vigil.res.n, n/float64(max(e.vigil.res.n, 1)), ops)
	return nil
}
