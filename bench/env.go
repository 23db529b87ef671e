package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/internal/testenv/oauth2proxy"
)

// bodySize is the upstream's answer: a small page.
const bodySize = 1024

// whoamiPath answers with the identity headers the upstream received, to
// check once that each gateway passes the user on (not used under load).
const whoamiPath = "/.bench/whoami"

// env is everything under load: the upstream, the two bare proxies, Vigil
// and oauth2-proxy (both signed in as alice through the demo IdP).
type env struct {
	direct, bare, pooled, vigil, o2p *target
	metricsURL                       string
	o2pProc                          *o2pProcess
	stop                             func() // idempotent; stops everything
}

func (e *env) targets() []*target { return []*target{e.direct, e.bare, e.pooled, e.vigil, e.o2p} }

// startEnv starts every target in this process except oauth2-proxy, which
// runs as its own process, and signs in to both gateways.
func startEnv(ctx context.Context, o options) (_ *env, err error) {
	var stops []func()
	var once sync.Once
	stopAll := func() {
		once.Do(func() {
			for i := len(stops) - 1; i >= 0; i-- {
				stops[i]()
			}
		})
	}
	defer func() {
		if err != nil {
			stopAll()
		}
	}()
	o2pBin, err := findOAuth2Proxy(ctx, o.o2pBin)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "vigil-bench-")
	if err != nil {
		return nil, err
	}
	stops = append(stops, func() { os.RemoveAll(dir) })

	body := strings.Repeat("x", bodySize)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == whoamiPath {
			fmt.Fprintf(w, "email=%s assertion=%t", r.Header.Get("X-Forwarded-Email"), r.Header.Get("X-Vigil-Assertion") != "")
			return
		}
		io.WriteString(w, body)
	}))
	stops = append(stops, upstream.Close)
	upURL, _ := url.Parse(upstream.URL)
	// The baseline: a bare reverse proxy with the same transport settings.
	bare := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(upURL); pr.SetXForwarded() },
		Transport: upstreamTransport(),
	})
	stops = append(stops, bare.Close)
	// The same bare proxy with a pool of copy buffers, as Vigil uses: the
	// ratio against it isolates what Vigil's own work costs.
	pooled := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite:    func(pr *httputil.ProxyRequest) { pr.SetURL(upURL); pr.SetXForwarded() },
		Transport:  upstreamTransport(),
		BufferPool: &bufferPool{},
	})
	stops = append(stops, pooled.Close)

	gwL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	idpL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		gwL.Close()
		return nil, err
	}
	o2pPort, err := freePort()
	if err != nil {
		gwL.Close()
		idpL.Close()
		return nil, err
	}
	vigilSecret, o2pSecret := randomHex(16), randomHex(16)
	issuer, stopIdP, err := startIdP(idpL, []demoidp.Client{
		{ID: "vigil", Secret: vigilSecret, RedirectURIs: []string{"http://" + gwL.Addr().String() + "/.vigil/callback"}},
		{ID: o2pClientID, Secret: o2pSecret, RedirectURIs: []string{oauth2proxy.RedirectURI(o2pPort)}},
	})
	if err != nil {
		gwL.Close()
		idpL.Close()
		return nil, err
	}
	stops = append(stops, stopIdP)
	vigilCookie, metricsURL, stopVigil, err := startVigil(ctx, gwL, dir, issuer, upstream.URL, vigilSecret)
	if err != nil {
		return nil, err
	}
	stops = append(stops, stopVigil)
	proxy, err := startOAuth2Proxy(o2pBin, issuer, o2pSecret, upstream.URL, o2pPort, filepath.Join(dir, "oauth2-proxy.log"))
	if err != nil {
		return nil, err
	}
	stops = append(stops, proxy.stop)
	o2pCookie, err := signInO2P(proxy.url)
	if err != nil {
		return nil, fmt.Errorf("%w\n%s", err, proxy.logTail())
	}

	e := &env{
		direct: &target{short: "upstream", label: "(a) upstream directly", spec: loadSpec{url: upstream.URL + "/"}},
		bare:   &target{short: "bare", label: "(b) bare httputil.ReverseProxy", spec: loadSpec{url: bare.URL + "/"}},
		pooled: &target{short: "bare+pool", label: "(b') bare proxy + copy-buffer pool", spec: loadSpec{url: pooled.URL + "/"}},
		vigil: &target{short: "vigil", label: "(c) vigil (session, 10 rules, assertion)",
			spec: loadSpec{url: "http://" + gwL.Addr().String() + "/", cookie: vigilCookie}},
		o2p: &target{short: "oauth2-proxy", label: "(d) oauth2-proxy " + oauth2proxy.Version + " (cookie session)",
			spec: loadSpec{url: proxy.url + "/", cookie: o2pCookie}},
		metricsURL: metricsURL,
		o2pProc:    proxy,
		stop:       stopAll,
	}
	for _, t := range e.targets() {
		t.spec.wantBytes = bodySize
	}
	if err := e.checkIdentity(); err != nil {
		return nil, err
	}
	return e, nil
}

// checkIdentity makes sure both gateways pass alice's identity on, so that
// neither is measured doing less than a deployment would.
func (e *env) checkIdentity() error {
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	for _, tc := range []struct {
		t    *target
		want string
	}{
		{e.vigil, "assertion=true"},
		{e.o2p, "email=" + benchEmail},
	} {
		req, err := http.NewRequest("GET", strings.TrimSuffix(tc.t.spec.url, "/")+whoamiPath, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Cookie", tc.t.spec.cookie)
		resp, err := c.Do(req)
		if err != nil {
			return fmt.Errorf("%s: identity check: %w", tc.t.short, err)
		}
		got, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(got), tc.want) {
			return fmt.Errorf("%s: identity check: HTTP %d, upstream saw %q, want %q", tc.t.short, resp.StatusCode, got, tc.want)
		}
	}
	return nil
}

func upstreamTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 256
	return t
}
