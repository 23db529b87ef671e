// Command bench measures the gateway's cost: the same load, in the same
// process and run, against a bare httputil.ReverseProxy and against Vigil
// with a signed-in session, a 10-rule policy and the signed assertion.
// Rounds alternate between the two so machine noise hits both alike. It
// signs in through the demo IdP over real OIDC, like a user would.
//
//	go run ./bench            # defaults: 64 connections, 3 rounds of 5s each
//
// The last line is machine-readable: "ratio vigil/bare: X.XX" (throughput).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/internal/server"
)

func main() {
	conns := flag.Int("c", 64, "concurrent connections")
	dur := flag.Duration("d", 5*time.Second, "duration of each round per target")
	rounds := flag.Int("rounds", 3, "rounds; each runs bare then vigil")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*conns, *dur, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(conns int, dur time.Duration, rounds int) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body := strings.Repeat("x", 1024)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body)
	}))
	defer upstream.Close()
	upURL, _ := url.Parse(upstream.URL)

	// The baseline: a bare reverse proxy with the same transport settings.
	bare := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(upURL); pr.SetXForwarded() },
		Transport: upstreamTransport(),
	})
	defer bare.Close()
	// The same bare proxy with a pool of copy buffers, as Vigil uses: the
	// ratio against it isolates what Vigil's own work costs.
	pooled := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite:    func(pr *httputil.ProxyRequest) { pr.SetURL(upURL); pr.SetXForwarded() },
		Transport:  upstreamTransport(),
		BufferPool: &bufferPool{},
	})
	defer pooled.Close()

	vigilURL, cookie, metricsURL, stop, err := startVigil(ctx, upstream.URL)
	if err != nil {
		return err
	}
	defer stop()

	fmt.Printf("bench: %d connections, %d rounds x %s per target, GOMAXPROCS=%d\n", conns, rounds, dur, runtimeProcs())
	queriesBefore, err := storeQueries(metricsURL)
	if err != nil {
		return err
	}
	var bareRes, pooledRes, vigilRes result
	for i := 0; i < rounds; i++ {
		b := load(bare.URL+"/", "", conns, dur)
		p := load(pooled.URL+"/", "", conns, dur)
		v := load(vigilURL+"/", cookie, conns, dur)
		if b.errors > 0 || p.errors > 0 || v.errors > 0 {
			return fmt.Errorf("round %d: %d bare, %d pooled and %d vigil requests failed (last: %v %v %v)",
				i+1, b.errors, p.errors, v.errors, b.lastErr, p.lastErr, v.lastErr)
		}
		fmt.Printf("round %d: bare %.0f req/s, bare+pool %.0f req/s, vigil %.0f req/s\n", i+1, b.rps(), p.rps(), v.rps())
		bareRes.add(b)
		pooledRes.add(p)
		vigilRes.add(v)
	}
	queriesAfter, err := storeQueries(metricsURL)
	if err != nil {
		return err
	}
	bareRes.report("bare httputil.ReverseProxy")
	pooledRes.report("bare proxy + copy-buffer pool")
	vigilRes.report("vigil (session, 10-rule policy, assertion)")
	n, ops := queryDelta(queriesBefore, queriesAfter)
	fmt.Printf("store queries during vigil load: %.0f over %d requests = %.4f per request (%s; change.* are the\n"+
		"  change-feed follower's background reads, session.touch the last-seen write-behind: none is on the request path)\n",
		n, vigilRes.n, n/float64(vigilRes.n), ops)
	fmt.Printf("ratio vigil/bare+pool: %.2f (Vigil's own cost, buffer pooling equal)\n", vigilRes.rps()/pooledRes.rps())
	fmt.Printf("ratio vigil/bare: %.2f\n", vigilRes.rps()/bareRes.rps())
	return nil
}

func upstreamTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 256
	return t
}

// startVigil runs a Vigil server and the demo IdP in this process, signs
// alice in, and returns the gateway URL and her cookies (session, device).
func startVigil(ctx context.Context, upstream string) (gw, cookie, metricsURL string, stop func(), err error) {
	dir, err := os.MkdirTemp("", "vigil-bench-")
	if err != nil {
		return
	}
	gwL, _ := net.Listen("tcp", "127.0.0.1:0")
	metricsL, _ := net.Listen("tcp", "127.0.0.1:0")
	idpL, _ := net.Listen("tcp", "127.0.0.1:0")
	public := "http://" + gwL.Addr().String()
	issuer := fmt.Sprintf("http://localhost:%d", idpL.Addr().(*net.TCPAddr).Port)
	idp, err := demoidp.New(demoidp.Config{Issuer: issuer, Users: demoidp.DefaultUsers(), Clients: []demoidp.Client{{
		ID: "vigil", Secret: "bench-client-secret", RedirectURIs: []string{public + "/.vigil/callback"},
	}}})
	if err != nil {
		return
	}
	idpSrv := &http.Server{Handler: idp}
	go idpSrv.Serve(idpL)

	cfg := benchConfig(public, issuer, upstream, filepath.Join(dir, "vigil.db"), filepath.Join(dir, "audit.log"))
	if err = cfg.Validate(); err != nil {
		return
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(ctx, cfg, server.Options{Logger: log})
	if err != nil {
		return
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { srv.Serve(sctx, server.Listeners{Main: gwL, Metrics: metricsL}); close(done) }()
	stop = func() {
		cancel()
		<-done
		srv.Close()
		idpSrv.Close()
		os.RemoveAll(dir)
	}
	cookie, err = signIn(public, cfg.Session.CookieName)
	return public, cookie, "http://" + metricsL.Addr().String() + "/metrics", stop, err
}

// benchConfig protects the upstream with ten rules; alice matches only the
// last, so every request evaluates all ten.
func benchConfig(public, issuer, upstream, db, audit string) *config.Config {
	sel := func(s config.Selector) []config.Selector { return []config.Selector{s} }
	rules := []config.Rule{
		{Name: "block-bad-net", Action: "deny", Include: sel(config.Selector{IP: config.StringList{"198.51.100.0/24", "2001:db8::/32"}})},
		{Name: "block-contractors", Action: "deny", Include: sel(config.Selector{Group: config.StringList{"contractors"}})},
		{Name: "sales", Action: "allow", Include: sel(config.Selector{Group: config.StringList{"sales"}}), Require: sel(config.Selector{AMR: config.StringList{"hwk"}})},
		{Name: "partners", Action: "allow", Include: sel(config.Selector{EmailDomain: config.StringList{"partner.example", "vendor.example"}})},
		{Name: "finance", Action: "allow", Include: sel(config.Selector{Group: config.StringList{"finance", "accounting"}})},
		{Name: "ops-office", Action: "allow", Include: sel(config.Selector{IP: config.StringList{"203.0.113.0/24"}})},
		{Name: "execs", Action: "allow", Include: sel(config.Selector{Email: config.StringList{"ceo@example.com", "cfo@example.com"}})},
		{Name: "dept", Action: "allow", Include: sel(config.Selector{Claim: &config.ClaimSelector{Name: "department", Values: config.StringList{"research"}}})},
		{Name: "other-idp", Action: "allow", Include: sel(config.Selector{Provider: config.StringList{"okta"}})},
		{Name: "engineering", Action: "allow", Include: sel(config.Selector{EmailDomain: config.StringList{"example.com"}}),
			Require: sel(config.Selector{Group: config.StringList{"engineering"}}),
			Exclude: sel(config.Selector{IP: config.StringList{"192.0.2.0/24"}})},
	}
	c := &config.Config{
		Server:    config.Server{PublicURL: public},
		Session:   config.Session{Secret: config.Secret{Value: "bench-master-secret-0123456789abcdef-0123456789"}},
		Store:     config.Store{DSN: db},
		Log:       config.Log{Audit: audit},
		Providers: []config.Provider{{Name: "demo", Issuer: issuer, ClientID: "vigil", ClientSecret: config.Secret{Value: "bench-client-secret"}}},
		Apps:      []config.App{{Name: "bench", Upstream: upstream, Policies: rules}},
	}
	c.SetDefaults()
	return c
}

func signIn(public, cookieName string) (string, error) {
	jar := newJar()
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	req, _ := http.NewRequest("GET", public+"/", nil)
	req.Header.Set("Accept", "text/html")
	page, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("opening the app: %w", err)
	}
	resp, err := demoidp.SubmitLogin(c, page, "alice", "alice-demo-password")
	if err != nil {
		return "", fmt.Errorf("signing in: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("signing in ended with HTTP %d at %s", resp.StatusCode, resp.Request.URL)
	}
	// Every cookie the gateway set, as a browser sends them back: the
	// session and the long-lived device cookie (without it the gateway
	// would mint a new device on every request, which no browser causes).
	u, _ := url.Parse(public)
	var parts []string
	found := false
	for _, ck := range jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
		found = found || ck.Name == cookieName
	}
	if !found {
		return "", fmt.Errorf("no session cookie after signing in")
	}
	return strings.Join(parts, "; "), nil
}

type result struct {
	n, errors int
	elapsed   time.Duration
	lat       []time.Duration
	lastErr   error
}

func (r *result) rps() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r *result) add(o result) {
	r.n += o.n
	r.errors += o.errors
	r.elapsed += o.elapsed
	r.lat = append(r.lat, o.lat...)
}

func (r *result) report(name string) {
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	q := func(p float64) time.Duration { return r.lat[int(p*float64(len(r.lat)-1))] }
	fmt.Printf("%-44s %8.0f req/s  p50 %-9s p99 %-9s (%d requests)\n", name, r.rps(), q(0.50).Round(time.Microsecond), q(0.99).Round(time.Microsecond), r.n)
}

// load runs conns keep-alive clients against target for d.
func load(target, cookie string, conns int, d time.Duration) result {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var (
		mu    sync.Mutex
		total result
		wg    sync.WaitGroup
		stop  atomic.Bool
	)
	start := time.Now()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine result
			mine.lat = make([]time.Duration, 0, 1<<14)
			req, _ := http.NewRequest("GET", target, nil)
			if cookie != "" {
				req.Header.Set("Cookie", cookie)
			}
			for !stop.Load() {
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("HTTP %d", resp.StatusCode)
					}
				}
				if err != nil {
					mine.errors++
					mine.lastErr = err
					continue
				}
				mine.n++
				mine.lat = append(mine.lat, time.Since(t0))
			}
			mu.Lock()
			total.n += mine.n
			total.errors += mine.errors
			total.lat = append(total.lat, mine.lat...)
			if mine.lastErr != nil {
				total.lastErr = mine.lastErr
			}
			mu.Unlock()
		}()
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	total.elapsed = time.Since(start)
	return total
}
