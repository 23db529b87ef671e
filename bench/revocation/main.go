// Command revocation measures how long a revocation takes to reach a
// second gateway process: two `vigil serve` processes (A and B) share one
// SQLite file and the session secret; a user signs in through A over real
// OIDC (the demo IdP, in this process), B serves her once from its cache,
// then A's admin API revokes the session and B is polled with the old
// cookie until it sends her to sign in again.
//
//	go run ./bench/revocation               # 200 trials, session scope
//	go run ./bench/revocation -scope user   # revoke every session of the user
//
// The last line is machine-readable: "revocation p99 ms: N".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/vigil-gw/vigil/internal/demoidp"
)

// The demo IdP's user and her password (public demo data).
const (
	user     = "alice"
	password = "alice-demo-password"
	email    = "alice@example.com"
)

type options struct {
	trials  int
	scope   string
	poll    time.Duration
	gap     time.Duration
	jitter  time.Duration
	timeout time.Duration
	vigil   string
	keep    bool
}

func main() {
	var o options
	flag.IntVar(&o.trials, "trials", 200, "number of trials")
	flag.StringVar(&o.scope, "scope", "session", "what the admin revokes: session (one session) or user (all of the user's)")
	flag.DurationVar(&o.poll, "poll", time.Millisecond, "pause between requests to B while waiting for the denial")
	flag.DurationVar(&o.gap, "gap", 0, "pause between trials")
	flag.DurationVar(&o.jitter, "jitter", 10*time.Millisecond,
		"random pause, 0 up to this, before each revoke: revocations land anywhere in the gateways' 10 ms poll cycle")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "longest wait for one denial before the run fails")
	flag.StringVar(&o.vigil, "vigil", "", "a vigil binary to run instead of building ./cmd/vigil")
	flag.BoolVar(&o.keep, "keep", false, "keep the working directory (configs, logs, database)")
	flag.Parse()
	if o.trials < 1 || (o.scope != "session" && o.scope != "user") || o.poll < 0 || o.jitter < 0 || o.gap < 0 || o.timeout <= 0 {
		fmt.Fprintln(os.Stderr, "revocation: want -trials >= 1, -scope session or user, -poll, -jitter and -gap >= 0, -timeout > 0")
		os.Exit(2)
	}
	// Ctrl-C or SIGTERM ends the run; the deferred clean-up stops both gateways.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "revocation:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) (err error) {
	dir, err := os.MkdirTemp("", "vigil-revocation-")
	if err != nil {
		return err
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
		if bin, err = buildVigil(ctx, dir); err != nil {
			return err
		}
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello from the app\n"))
	}))
	defer upstream.Close()

	c, closeIdP, err := startCluster(ctx, bin, dir, upstream.URL)
	if err != nil {
		return err
	}
	defer closeIdP()
	defer c.stop()

	fmt.Printf("revocation: %d trials, scope %s, A %s, B %s, poll every %s, jitter %s, gap %s, GOMAXPROCS=%d%s\n",
		o.trials, o.scope, c.a.url, c.b.url, o.poll, o.jitter, o.gap, runtime.GOMAXPROCS(0), loadAverage())
	br, adm := newBrowser(), newAdmin(c.a.url, c.adminToken)
	// A fixed seed: the same pauses on every run.
	rng := rand.New(rand.NewPCG(20, 26))
	var total, call, after []time.Duration
	for i := 1; i <= o.trials; i++ {
		if i > 1 && o.gap > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(o.gap):
			}
		}
		if err := errors.Join(ctx.Err(), c.a.alive(), c.b.alive()); err != nil {
			return err
		}
		s, err := trial(ctx, o, c, br, adm, rng)
		if err != nil {
			return fmt.Errorf("trial %d: %w", i, err)
		}
		total, call, after = append(total, s.total), append(call, s.call), append(after, max(0, s.total-s.call))
		if i%20 == 0 || i == o.trials {
			fmt.Printf("trial %d/%d: last %s ms, p50 so far %s ms, max so far %s ms\n",
				i, o.trials, ms(s.total), ms(quantile(total, 0.50)), ms(quantile(total, 1)))
		}
	}
	fmt.Printf("\n%-28s %9s %9s %9s %9s  (ms, %d trials%s)\n", "", "p50", "p90", "p99", "max", o.trials, loadAverage())
	row := func(name string, d []time.Duration) {
		fmt.Printf("%-28s %9s %9s %9s %9s\n", name, ms(quantile(d, 0.50)), ms(quantile(d, 0.90)), ms(quantile(d, 0.99)), ms(quantile(d, 1)))
	}
	row("revoke call to denial on B", total)
	row("  revoke call on A", call)
	row("  after the call returned", after)
	fmt.Printf("revocation p99 ms: %s\n", ms(quantile(total, 0.99)))
	return nil
}

// startCluster starts the demo IdP here and gateways A then B (one at a
// time, so that only one of them creates the database).
func startCluster(ctx context.Context, bin, dir, upstream string) (_ *cluster, closeIdP func(), err error) {
	var addrs [3]string
	for i := range addrs {
		if addrs[i], err = freeAddr(); err != nil {
			return nil, nil, err
		}
	}
	s := settings{upstream: upstream, db: filepath.Join(dir, "vigil.db")}
	for _, p := range []*string{&s.sessionSecret, &s.adminToken, &s.clientSecret} {
		if *p, err = randomSecret(); err != nil {
			return nil, nil, err
		}
	}
	// The issuer is named localhost, as bench/main.go does: plain http is
	// accepted for loopback issuers.
	idpL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	s.issuer = fmt.Sprintf("http://localhost:%d", idpL.Addr().(*net.TCPAddr).Port)
	idp, err := demoidp.New(demoidp.Config{Issuer: s.issuer, Users: demoidp.DefaultUsers(), Clients: []demoidp.Client{{
		ID: "vigil", Secret: s.clientSecret,
		RedirectURIs: []string{"http://" + addrs[0] + "/.vigil/callback", "http://" + addrs[1] + "/.vigil/callback"},
	}}})
	if err != nil {
		idpL.Close()
		return nil, nil, fmt.Errorf("demo IdP: %w", err)
	}
	idpSrv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	go idpSrv.Serve(idpL)
	closeIdP = func() { idpSrv.Close() }
	c := &cluster{dir: dir, adminToken: s.adminToken}
	for i, name := range []string{"a", "b"} {
		cfg, err := writeConfig(dir, name, addrs[i], s)
		if err == nil {
			var g *gateway
			g, err = start(ctx, bin, dir, strings.ToUpper(name), addrs[i], cfg)
			if i == 0 {
				c.a = g
			} else {
				c.b = g
			}
		}
		if err != nil {
			c.stop()
			closeIdP()
			return nil, nil, err
		}
	}
	return c, closeIdP, nil
}
