package mailpit

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// readyTimeout bounds the wait for a started mailpit to answer.
const readyTimeout = 30 * time.Second

// TLS modes of the SMTP listener.
const (
	TLSNone     = ""         // plain SMTP, no STARTTLS offered
	TLSStartTLS = "starttls" // STARTTLS offered and required
	TLSImplicit = "tls"      // TLS from the first byte
)

// Options configures one mailpit.
type Options struct {
	// Users enables SMTP AUTH with these user names and passwords. Without
	// TLS, mailpit is told to accept AUTH on the plain connection.
	Users map[string]string
	// TLS is TLSNone, TLSStartTLS or TLSImplicit; the certificate is
	// generated per server for 127.0.0.1 and localhost (see Server.RootCAs).
	TLS string
}

// Server is a running mailpit. It stops when the test ends.
type Server struct {
	SMTPAddr string // 127.0.0.1:PORT
	SMTPHost string // 127.0.0.1
	SMTPPort int
	APIURL   string // http://127.0.0.1:PORT, no trailing slash
	// RootCAs trusts the SMTP certificate when Options.TLS is set.
	RootCAs *x509.CertPool
	// MessageWait bounds how long LatestMessage polls; 5s unless changed.
	MessageWait time.Duration

	http *http.Client
}

// Start runs a plain mailpit for the life of t.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith runs mailpit with opts for the life of t, on free loopback
// ports, and waits until it answers. If mailpit is missing it is installed
// with go install; if that fails the test is skipped, or fails when the
// CI environment variable is "true".
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mailpit: required when CI=true: %v", err)
		}
		t.Skipf("mailpit: not available, skipping: %v", err)
	}
	dir := t.TempDir()
	args := []string{"--disable-version-check", "--smtp-disable-rdns", "--database", filepath.Join(dir, "mailpit.db")}
	s := &Server{SMTPHost: "127.0.0.1", MessageWait: 5 * time.Second, http: &http.Client{Timeout: 5 * time.Second}}
	if opts.Users != nil {
		args = append(args, "--smtp-auth-file", writeFile(t, dir, "smtp-users", htpasswd(t, opts.Users)))
		if opts.TLS == TLSNone {
			args = append(args, "--smtp-auth-allow-insecure")
		}
	}
	switch opts.TLS {
	case TLSNone:
	case TLSStartTLS, TLSImplicit:
		certPEM, keyPEM, pool := selfSigned(t)
		s.RootCAs = pool
		args = append(args, "--smtp-tls-cert", writeFile(t, dir, "cert.pem", certPEM),
			"--smtp-tls-key", writeFile(t, dir, "key.pem", keyPEM))
		if opts.TLS == TLSStartTLS {
			args = append(args, "--smtp-require-starttls")
		} else {
			args = append(args, "--smtp-require-tls")
		}
	default:
		t.Fatalf("mailpit: unknown TLS mode %q", opts.TLS)
	}

	// A free port can be taken between picking it and mailpit binding it:
	// try a few times.
	var lastErr error
	for range 3 {
		smtpPort, apiPort := freePort(t), freePort(t)
		s.SMTPPort = smtpPort
		s.SMTPAddr = net.JoinHostPort(s.SMTPHost, strconv.Itoa(smtpPort))
		s.APIURL = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(apiPort))
		full := append([]string{"--smtp", s.SMTPAddr, "--listen", net.JoinHostPort("127.0.0.1", strconv.Itoa(apiPort))}, args...)
		if lastErr = s.run(t, bin, dir, full); lastErr == nil {
			return s
		}
	}
	t.Fatalf("mailpit: %v", lastErr)
	return nil
}

// run starts one process and waits for it; on failure the process is gone.
func (s *Server) run(t testing.TB, bin, dir string, args []string) error {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TMPDIR="+dir)
	logs := &tailBuffer{max: 32 << 10}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	if err := s.waitReady(exited); err != nil {
		stop()
		return fmt.Errorf("%w (exit: %v)\nmailpit output:\n%s", err, waitErr, logs.String())
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("mailpit output:\n%s", logs.String())
		}
	})
	return nil
}

// waitReady polls the API's /readyz and the SMTP port until both answer.
func (s *Server) waitReady(exited <-chan struct{}) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-exited:
			return errors.New("mailpit exited before it was ready")
		default:
		}
		if s.ready() {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mailpit not ready after %v", readyTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Server) ready() bool {
	resp, err := s.http.Get(s.APIURL + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	c, err := net.DialTimeout("tcp", s.SMTPAddr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailpit: no free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatalf("mailpit: %v", err)
	}
	return p
}

// htpasswd renders users in the plain "user:password" form mailpit accepts.
func htpasswd(t testing.TB, users map[string]string) []byte {
	var b strings.Builder
	for u, p := range users {
		if strings.ContainsAny(u+p, ":\r\n") || strings.HasPrefix(p, "$") || strings.HasPrefix(p, "{") {
			t.Fatalf("mailpit: user %q or its password cannot be written to a plain htpasswd file", u)
		}
		b.WriteString(u + ":" + p + "\n")
	}
	return []byte(b.String())
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append([]byte(nil), b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
