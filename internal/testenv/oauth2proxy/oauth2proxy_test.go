package oauth2proxy

import (
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func validOptions() Options {
	return Options{Issuer: "http://127.0.0.1:9000", ClientID: "proxy", ClientSecret: "top-secret-value",
		Upstream: "http://127.0.0.1:9001", Port: 5000}
}

func TestFlags(t *testing.T) {
	cases := []struct {
		name    string
		tweak   func(*Options)
		wantErr string
	}{
		{"ok", func(*Options) {}, ""},
		{"localhost http", func(o *Options) { o.Issuer = "http://localhost:9000/realm" }, ""},
		{"ipv6 loopback", func(o *Options) { o.Issuer = "http://[::1]:9000" }, ""},
		{"https", func(o *Options) { o.Issuer = "https://op.example.com" }, ""},
		{"http elsewhere", func(o *Options) { o.Issuer = "http://op.example.com" }, "must be https"},
		{"userinfo in issuer", func(o *Options) { o.Issuer = "https://u:p@op.example.com" }, "absolute URL"},
		{"no secret", func(o *Options) { o.ClientSecret = "" }, "ClientSecret"},
		{"no client", func(o *Options) { o.ClientID = "" }, "ClientID"},
		{"bad upstream", func(o *Options) { o.Upstream = "file:///etc" }, "Upstream"},
		{"no port", func(o *Options) { o.Port = 0 }, "PickPort"},
		{"no openid", func(o *Options) { o.Scopes = []string{"email"} }, "openid"},
		{"bad scope", func(o *Options) { o.Scopes = []string{"openid", "a b"} }, "bad scope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := validOptions()
			tc.tweak(&o)
			args, err := flags(o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			joined := strings.Join(args, " ")
			if strings.Contains(joined, o.ClientSecret) {
				t.Fatal("the client secret is on the command line")
			}
			for _, want := range []string{
				"--provider=oidc", "--code-challenge-method=S256", "--insecure-oidc-skip-nonce=false",
				"--http-address=127.0.0.1:5000", "--redirect-url=http://127.0.0.1:5000/oauth2/callback",
			} {
				if !strings.Contains(joined, want) {
					t.Errorf("flags lack %q: %s", want, joined)
				}
			}
			if strings.Contains(joined, "allow-unverified-email") || strings.Contains(joined, "skip-issuer-verification") {
				t.Errorf("flags weaken a check: %s", joined)
			}
		})
	}
}

func FuzzCheckIssuer(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:9000", "http://localhost", "https://op.example.com",
		"http://op.example.com", "http://127.0.0.1.example.com", "http://[::1]:1", "//127.0.0.1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkIssuer(s) != nil {
			return
		}
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			t.Fatalf("checkIssuer accepted %q, which does not parse as an absolute URL", s)
		}
		if u.Scheme == "https" {
			return
		}
		ip := net.ParseIP(u.Hostname())
		if u.Scheme != "http" || (u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback())) {
			t.Fatalf("checkIssuer accepted plain %q off loopback", s)
		}
	})
}

func TestPinned(t *testing.T) {
	// The test binary is a Go binary built from another module: not pinned.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if pinned(self) {
		t.Fatal("the test binary passes as oauth2-proxy")
	}
	notGo := filepath.Join(t.TempDir(), binName)
	if err := os.WriteFile(notGo, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if pinned(notGo) {
		t.Fatal("a shell script passes as oauth2-proxy")
	}
	env := func(k string) string {
		if k == "GOBIN" {
			return filepath.Dir(notGo)
		}
		return ""
	}
	if got := candidates(env); len(got) == 0 || got[0] != notGo {
		t.Fatalf("candidates = %v, want GOBIN first", got)
	}
}

// The watchdog must end its child when stdin closes, so that a dead test
// binary leaves no proxy running.
func TestWatchdogKillsOnStdinClose(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	cmd := exec.Command("sh", "-c", watchdog, "sh", "sleep", "60")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		t.Fatalf("watchdog exited before stdin closed: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	stdin.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("child still running 10s after stdin closed")
	}
}
