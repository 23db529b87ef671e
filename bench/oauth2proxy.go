package main

import (
	"context"
	"crypto/rand"
	"debug/buildinfo"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/internal/testenv/oauth2proxy"
	"github.com/vigil-gw/vigil/internal/testenv/proc"
)

// The oauth2-proxy target: the pinned release (oauth2proxy.Module at
// oauth2proxy.Version, the one the interop tests run) as a separate
// process, an OIDC client of the in-process demo IdP, in front of the same
// upstream, with its default cookie session store.

const o2pClientID = "oauth2-proxy"

// o2pReadyTimeout bounds the wait for /ping; start-up includes discovery.
const o2pReadyTimeout = 30 * time.Second

// findOAuth2Proxy returns the pinned binary: path when given, else the one
// in GOBIN, GOPATH/bin or PATH, else it builds one with `go install`,
// showing the go command's progress (a cold build takes a minute or more).
func findOAuth2Proxy(ctx context.Context, path string) (string, error) {
	want := oauth2proxy.Module + "@" + oauth2proxy.Version
	if path != "" {
		if !pinnedO2P(path) {
			return "", fmt.Errorf("%s is not a build of %s", path, want)
		}
		return path, nil
	}
	goBin, _ := exec.LookPath("go")
	if p := firstPinned(goEnv(goBin)); p != "" {
		return p, nil
	}
	if goBin == "" {
		return "", fmt.Errorf("oauth2-proxy is not installed and there is no go command to build %s", want)
	}
	// The interop tests build it under the same lock, so concurrent runs
	// build it once.
	unlock, err := proc.LockFile(filepath.Join(os.TempDir(), "vigil-oauth2-proxy-install.lock"))
	if err != nil {
		return "", fmt.Errorf("oauth2-proxy install lock: %w", err)
	}
	defer unlock()
	if p := firstPinned(goEnv(goBin)); p != "" {
		return p, nil
	}
	fmt.Fprintf(os.Stderr, "bench: oauth2-proxy not found; go install -v %s (a minute or more)\n", want)
	cmd := exec.CommandContext(ctx, goBin, "install", "-v", want)
	cmd.Dir = os.TempDir() // outside any module: the version pin alone decides
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go install %s: %w", want, err)
	}
	if p := firstPinned(goEnv(goBin)); p != "" {
		return p, nil
	}
	return "", fmt.Errorf("go install %s succeeded but no pinned binary is in GOBIN, GOPATH/bin or PATH", want)
}

// pinnedO2P reports whether the binary at path was built from the pinned
// module version, read from the build information Go embeds.
func pinnedO2P(path string) bool {
	info, err := buildinfo.ReadFile(path)
	return err == nil && info.Main.Path == oauth2proxy.Module && info.Main.Version == oauth2proxy.Version
}

// firstPinned looks where `go install` puts binaries, then in PATH.
func firstPinned(env map[string]string) string {
	var dirs []string
	if env["GOBIN"] != "" {
		dirs = append(dirs, env["GOBIN"])
	}
	for _, d := range filepath.SplitList(env["GOPATH"]) {
		if d != "" {
			dirs = append(dirs, filepath.Join(d, "bin"))
		}
	}
	cands := make([]string, 0, len(dirs)+1)
	for _, d := range dirs {
		cands = append(cands, filepath.Join(d, "oauth2-proxy"))
	}
	if p, err := exec.LookPath("oauth2-proxy"); err == nil {
		cands = append(cands, p)
	}
	for _, p := range cands {
		if pinnedO2P(p) {
			return p
		}
	}
	return ""
}

// goEnv reads GOBIN and GOPATH from the go command, else the environment.
func goEnv(goBin string) map[string]string {
	env := map[string]string{"GOBIN": os.Getenv("GOBIN"), "GOPATH": os.Getenv("GOPATH")}
	if goBin == "" {
		return env
	}
	out, err := exec.Command(goBin, "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return env
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) == 2 {
		env["GOBIN"], env["GOPATH"] = strings.TrimSpace(lines[0]), strings.TrimSpace(lines[1])
	}
	return env
}

// o2pFlags configures oauth2-proxy as a realistic deployment in front of
// one app: OIDC with PKCE and the nonce check, any e-mail domain, straight
// to the IdP without its own button page, the user's identity passed to
// the upstream in headers. Secrets go through the environment instead.
func o2pFlags(issuer, upstream string, port int) []string {
	return []string{
		"--provider=oidc",
		"--oidc-issuer-url=" + issuer,
		"--client-id=" + o2pClientID,
		"--redirect-url=" + oauth2proxy.RedirectURI(port),
		"--upstream=" + upstream,
		"--http-address=127.0.0.1:" + strconv.Itoa(port),
		"--scope=openid email profile groups",
		"--email-domain=*",
		"--code-challenge-method=S256",
		"--insecure-oidc-skip-nonce=false",
		"--skip-provider-button=true",
		"--pass-user-headers=true",
		"--set-xauthrequest=true",
		// Plain http on loopback: cookies without Secure, as for Vigil here.
		"--cookie-secure=false",
		"--reverse-proxy=false",
		"--silence-ping-logging=true",
	}
}

// o2pProcess is a running oauth2-proxy.
type o2pProcess struct {
	url  string
	cmd  *exec.Cmd
	done chan struct{} // closed when it exits
	log  string
}

// startOAuth2Proxy runs bin on port with a fresh random cookie secret and
// its request log (on by default, as Vigil's audit log is here) in logPath.
func startOAuth2Proxy(bin, issuer, clientSecret, upstream string, port int, logPath string) (*o2pProcess, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("oauth2-proxy cookie secret: %w", err)
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child holds its own descriptor
	cmd := exec.Command(bin, o2pFlags(issuer, upstream, port)...)
	cmd.Env = append(os.Environ(),
		"OAUTH2_PROXY_CLIENT_SECRET="+clientSecret,
		"OAUTH2_PROXY_COOKIE_SECRET="+base64.URLEncoding.EncodeToString(secret))
	cmd.Stdout, cmd.Stderr = logf, logf
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting oauth2-proxy: %w", err)
	}
	p := &o2pProcess{url: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() { cmd.Wait(); close(p.done) }()
	if err := p.waitReady(o2pReadyTimeout); err != nil {
		p.stop()
		return nil, fmt.Errorf("%w\n%s", err, p.logTail())
	}
	return p, nil
}

// waitReady polls /ping until it answers 200, the process exits or timeout.
func (p *o2pProcess) waitReady(timeout time.Duration) error {
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return errors.New("oauth2-proxy exited before answering /ping")
		default:
		}
		if resp, err := c.Get(p.url + "/ping"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("oauth2-proxy did not answer /ping within %v", timeout)
}

// alive reports an error once the process has exited.
func (p *o2pProcess) alive() error {
	select {
	case <-p.done:
		return fmt.Errorf("oauth2-proxy exited\n%s", p.logTail())
	default:
		return nil
	}
}

// stop asks it to shut down, then kills it after five seconds.
func (p *o2pProcess) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// logTail is the end of its log, for error messages.
func (p *o2pProcess) logTail() string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return ""
	}
	if len(b) > 2048 {
		b = b[len(b)-2048:]
	}
	return "oauth2-proxy log (end):\n" + string(b)
}

// signInO2P signs alice in through oauth2-proxy's /oauth2/start flow and
// the demo IdP's login form, and returns its session cookie(s) as a Cookie
// header (a large session is split into _oauth2_proxy_0, _1, ...).
func signInO2P(base string) (string, error) {
	jar := newJar()
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	page, err := c.Get(base + "/oauth2/start?rd=%2F")
	if err != nil {
		return "", fmt.Errorf("oauth2-proxy: starting sign-in: %w", err)
	}
	resp, err := demoidp.SubmitLogin(c, page, benchUser, benchPassword)
	if err != nil {
		return "", fmt.Errorf("oauth2-proxy: signing in: %w", err)
	}
	resp.Body.Close()
	u, _ := url.Parse(base)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Host != u.Host {
		return "", fmt.Errorf("oauth2-proxy: signing in ended with HTTP %d at %s", resp.StatusCode, resp.Request.URL)
	}
	var session []*http.Cookie
	for _, ck := range jar.Cookies(u) {
		if strings.HasPrefix(ck.Name, "_oauth2_proxy") && !strings.HasSuffix(ck.Name, "_csrf") {
			session = append(session, ck)
		}
	}
	cookie, found := cookieHeader(session, func(string) bool { return true })
	if !found {
		return "", errors.New("oauth2-proxy: no session cookie after signing in")
	}
	return cookie, nil
}
