package nodeop

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// readyTimeout bounds the wait for the provider's READY line.
const readyTimeout = 30 * time.Second

// Options configures one provider process.
type Options struct {
	Clients []Client
	// Users overrides the claims of some login names. Any other name still
	// signs in, as name@example.com with no groups.
	Users map[string]User
}

// Client is a statically registered relying party. It authenticates at the
// token endpoint with client_secret_basic and must use PKCE (S256).
type Client struct {
	ID                     string
	Secret                 string
	RedirectURIs           []string // plain http://127.0.0.1 URIs are accepted
	PostLogoutRedirectURIs []string
	BackchannelLogoutURI   string // optional; the OP then POSTs logout tokens to it
	IDTokenAlg             string // "ES256" (default) or "RS256"
}

// User holds the claims for one login name. Zero fields take the defaults
// derived from the name: email name@example.com, verified, name = login.
type User struct {
	Email           string
	EmailUnverified bool // makes email_verified false, to test fail-closed paths
	Name            string
	Groups          []string
}

// Provider is a running oidc-provider. It stops when the test ends.
type Provider struct {
	// Issuer is the OP's issuer URL, http://127.0.0.1:PORT without a trailing slash.
	Issuer string
}

// Start runs testdata/oidc-provider/server.mjs for the life of t. It installs
// the Node dependencies on first use. Without Node.js it skips the test,
// unless CI is set, where it fails.
func Start(t testing.TB, opts Options) *Provider {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if inCI() {
			t.Fatalf("nodeop: node is required when CI is set: %v", err)
		}
		t.Skipf("nodeop: node is not installed, skipping the oidc-provider test: %v", err)
	}
	dir, err := findProjectDir()
	if err != nil {
		t.Fatalf("nodeop: %v", err)
	}
	if err := ensureDeps(dir); err != nil {
		t.Fatalf("nodeop: %v", err)
	}
	cfg, err := opConfig(opts)
	if err != nil {
		t.Fatalf("nodeop: %v", err)
	}

	cmd := exec.Command(node, "server.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "OP_PORT=0", "OP_CONFIG="+cfg, "OP_WATCH_STDIN=1")
	logs := &tailBuffer{max: 64 << 10}
	cmd.Stderr = logs
	cmd.WaitDelay = 5 * time.Second // never hang on pipes a stray grandchild holds
	// The child exits when this pipe closes, even if the test binary is killed.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("nodeop: %v", err)
	}
	ready := &readyWriter{rest: logs, line: make(chan string, 1)}
	cmd.Stdout = ready
	if err := cmd.Start(); err != nil {
		t.Fatalf("nodeop: start node: %v", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("nodeop: provider output:\n%s", logs.String())
		}
	})

	issuer, err := waitReady(ready.line, exited, readyTimeout)
	if err != nil {
		select {
		case <-exited:
			err = fmt.Errorf("%w (%v)", err, waitErr)
		default:
		}
		t.Fatalf("nodeop: %v\nprovider stderr:\n%s", err, logs.String())
	}
	return &Provider{Issuer: issuer}
}

// waitReady waits for the first stdout line, which must be "READY <issuer>".
func waitReady(line <-chan string, exited <-chan struct{}, timeout time.Duration) (string, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-timer.C:
		return "", fmt.Errorf("provider not ready after %v", timeout)
	case <-exited:
		return "", errors.New("provider exited before READY")
	case l, ok := <-line:
		if !ok {
			return "", errors.New("provider wrote no READY line")
		}
		return parseReady(l)
	}
}

// readyWriter is the child's stdout: it hands the first line to the line
// channel and copies everything after it into rest.
type readyWriter struct {
	rest io.Writer
	line chan string
	mu   sync.Mutex
	buf  []byte
	sent bool
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sent {
		return w.rest.Write(p)
	}
	w.buf = append(w.buf, p...)
	i := bytes.IndexByte(w.buf, '\n')
	if i < 0 {
		if len(w.buf) > 4096 { // no sane READY line is this long
			w.sent = true
			close(w.line)
		}
		return len(p), nil
	}
	w.sent = true
	w.line <- string(w.buf[:i+1])
	_, _ = w.rest.Write(w.buf[i+1:])
	w.buf = nil
	return len(p), nil
}

// parseReady checks the READY line: the issuer must be plain http on the
// loopback address, since that is all the server may listen on.
func parseReady(line string) (string, error) {
	rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "READY ")
	if !ok {
		return "", fmt.Errorf("unexpected first line from provider: %q", line)
	}
	u, err := url.Parse(rest)
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("provider announced a bad issuer %q", rest)
	}
	return "http://" + u.Host, nil
}

// opConfig renders Options as the OP_CONFIG JSON that server.mjs reads.
func opConfig(o Options) (string, error) {
	type client struct {
		ID                     string   `json:"client_id"`
		Secret                 string   `json:"client_secret"`
		RedirectURIs           []string `json:"redirect_uris"`
		PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
		BackchannelLogoutURI   string   `json:"backchannel_logout_uri,omitempty"`
		AuthMethod             string   `json:"token_endpoint_auth_method"`
		IDTokenAlg             string   `json:"id_token_signed_response_alg"`
	}
	type user struct {
		Email         string   `json:"email,omitempty"`
		EmailVerified bool     `json:"email_verified"`
		Name          string   `json:"name,omitempty"`
		Groups        []string `json:"groups"`
	}
	cfg := struct {
		Clients []client        `json:"clients"`
		Users   map[string]user `json:"users"`
	}{Clients: []client{}, Users: map[string]user{}}

	var errs []error
	for i, c := range o.Clients {
		alg := c.IDTokenAlg
		if alg == "" {
			alg = "ES256"
		}
		if c.ID == "" || c.Secret == "" || len(c.RedirectURIs) == 0 {
			errs = append(errs, fmt.Errorf("client %d: ID, Secret and RedirectURIs are required", i))
		}
		if alg != "ES256" && alg != "RS256" {
			errs = append(errs, fmt.Errorf("client %q: IDTokenAlg %q is not ES256 or RS256", c.ID, alg))
		}
		cfg.Clients = append(cfg.Clients, client{c.ID, c.Secret, c.RedirectURIs, c.PostLogoutRedirectURIs,
			c.BackchannelLogoutURI, "client_secret_basic", alg})
	}
	for name, u := range o.Users {
		groups := u.Groups
		if groups == nil {
			groups = []string{}
		}
		cfg.Users[name] = user{u.Email, !u.EmailUnverified, u.Name, groups}
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	b, err := json.Marshal(cfg)
	return string(b), err
}

// tailBuffer keeps the last max bytes written to it; safe for concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
