package oauth2proxy

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/testenv/proc"
)

// readyTimeout bounds the wait for /ping; start-up includes OIDC discovery.
const readyTimeout = 30 * time.Second

// Options configures one oauth2-proxy process.
type Options struct {
	// Issuer is the OP's issuer URL: https, or plain http on a loopback
	// host. The OP must already be serving: oauth2-proxy runs discovery at
	// start and exits when it fails.
	Issuer       string
	ClientID     string
	ClientSecret string // required: oauth2-proxy is a confidential client
	// Upstream is the http URL requests are proxied to once signed in.
	Upstream string
	// Scopes requested; they must include "openid". Default: openid email profile.
	Scopes []string
	// Port is where the proxy listens on 127.0.0.1. Choose it first (see
	// PickPort) so that RedirectURI(Port) can be registered at the OP.
	Port int
}

// Proxy is a running oauth2-proxy. It stops when the test ends.
type Proxy struct {
	// URL is http://127.0.0.1:PORT; any path but /oauth2/* and /ping is
	// proxied to the upstream once signed in.
	URL         string
	RedirectURI string
}

// PickPort returns a port on 127.0.0.1 that was free a moment ago. Another
// process may take it before the proxy listens; Start then fails clearly.
func PickPort(t testing.TB) int {
	t.Helper()
	return proc.FreePort(t, "oauth2proxy")
}

// RedirectURI is the callback URL of a proxy on port, to register at the OP.
func RedirectURI(port int) string {
	return "http://127.0.0.1:" + strconv.Itoa(port) + "/oauth2/callback"
}

// Start runs the pinned oauth2-proxy for the life of t, building it with
// `go install` first when it is missing (about a minute). When it cannot be
// had it skips the test, unless CI is set, where it fails.
func Start(t testing.TB, opts Options) *Proxy {
	t.Helper()
	args, err := flags(opts)
	if err != nil {
		t.Fatalf("oauth2proxy: %v", err)
	}
	bin, err := ensureBinary()
	if err != nil {
		if errors.Is(err, errNoGo) {
			proc.Unavailable(t, "oauth2proxy: %v", err)
		}
		t.Fatalf("oauth2proxy: %v", err)
	}
	cookieSecret := make([]byte, 32)
	if _, err := rand.Read(cookieSecret); err != nil {
		t.Fatalf("oauth2proxy: cookie secret: %v", err)
	}

	// oauth2-proxy has no stdin watchdog of its own: a shell stands between
	// and kills it when the stdin pipe closes, which also happens when the
	// test binary dies, so no orphan outlives the test.
	cmd := exec.Command("sh", append([]string{"-c", watchdog, "sh", bin}, args...)...)
	// Secrets go through the environment, never the command line.
	cmd.Env = append(os.Environ(),
		"OAUTH2_PROXY_CLIENT_SECRET="+opts.ClientSecret,
		"OAUTH2_PROXY_COOKIE_SECRET="+base64.URLEncoding.EncodeToString(cookieSecret))
	base := "http://127.0.0.1:" + strconv.Itoa(opts.Port)
	proc.Start(t, cmd, proc.Options{
		Name: "oauth2proxy", Role: "oauth2-proxy",
		Ready:     func(exited <-chan struct{}) error { return waitPing(base+"/ping", exited, readyTimeout) },
		KillGrace: 5 * time.Second, // closing stdin makes the watchdog kill it and exit
	})
	return &Proxy{URL: base, RedirectURI: RedirectURI(opts.Port)}
}

// watchdog runs "$@" in the background, kills it once stdin reaches EOF,
// and exits with its status. Stdin goes through fd 3 because sh gives
// background commands /dev/null as stdin.
const watchdog = `exec 3<&0
"$@" </dev/null 3<&- & pid=$!
( cat <&3 >/dev/null; kill "$pid" 2>/dev/null ) >/dev/null 2>&1 &
exec 3<&-
wait "$pid"`

// waitPing polls url until it answers 200, the process exits or timeout.
func waitPing(url string, exited <-chan struct{}, timeout time.Duration) error {
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("oauth2-proxy exited before answering /ping")
		default:
		}
		if resp, err := c.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("oauth2-proxy did not answer /ping within %v", timeout)
}

// flags validates opts and renders them as command-line flags (no secrets).
func flags(o Options) ([]string, error) {
	var errs []error
	if err := checkIssuer(o.Issuer); err != nil {
		errs = append(errs, err)
	}
	if o.ClientID == "" || o.ClientSecret == "" {
		errs = append(errs, errors.New("ClientID and ClientSecret are required"))
	}
	if u, err := url.Parse(o.Upstream); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("Upstream %q is not an http(s) URL", o.Upstream))
	}
	if o.Port < 1 || o.Port > 65535 {
		errs = append(errs, fmt.Errorf("Port %d: choose one with PickPort and register RedirectURI(port) first", o.Port))
	}
	scopes := o.Scopes
	if len(scopes) == 0 {
		scopes = []string{"openid", "email", "profile"}
	}
	if !containsString(scopes, "openid") {
		errs = append(errs, errors.New(`Scopes must include "openid"`))
	}
	for _, s := range scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			errs = append(errs, fmt.Errorf("bad scope %q", s))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return []string{
		"--provider=oidc",
		"--oidc-issuer-url=" + o.Issuer,
		"--client-id=" + o.ClientID,
		"--redirect-url=" + RedirectURI(o.Port),
		"--upstream=" + o.Upstream,
		"--http-address=127.0.0.1:" + strconv.Itoa(o.Port),
		"--scope=" + strings.Join(scopes, " "),
		"--email-domain=*",
		"--code-challenge-method=S256",
		// Its default skips the nonce check; the OP under test must get it right.
		"--insecure-oidc-skip-nonce=false",
		"--skip-provider-button=true",
		"--pass-user-headers=true",
		// The only relaxation plain http needs: cookies without Secure.
		"--cookie-secure=false",
		"--reverse-proxy=false",
		"--silence-ping-logging=true",
	}, nil
}

// checkIssuer allows https, and plain http only on a loopback host.
func checkIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.User != nil {
		return fmt.Errorf("Issuer %q is not an absolute URL", issuer)
	}
	if u.Scheme == "https" {
		return nil
	}
	if ip := net.ParseIP(u.Hostname()); u.Scheme == "http" && (u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())) {
		return nil
	}
	return fmt.Errorf("Issuer %q must be https (plain http only on loopback)", issuer)
}
