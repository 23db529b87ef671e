package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageAndHelp(t *testing.T) {
	cases := []struct {
		args     []string
		wantCode int
		wantText string
	}{
		{nil, 2, "Usage:"},
		{[]string{"--help"}, 0, "vigil quickstart"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"serve", "--help"}, 0, "-config"},
		{[]string{"quickstart", "-h"}, 0, "-listen"},
		{[]string{"serve", "--nope"}, 2, "flag provided but not defined"},
		{[]string{"config"}, 2, "config check FILE"},
		{[]string{"policy", "test"}, 2, "--app is required"},
		{[]string{"version"}, 0, "vigil dev"},
	}
	for _, tc := range cases {
		code, out, errs := runCmd(t, tc.args...)
		if code != tc.wantCode || !strings.Contains(out+errs, tc.wantText) {
			t.Errorf("vigil %v: exit %d, output %q; want exit %d containing %q", tc.args, code, out+errs, tc.wantCode, tc.wantText)
		}
	}
}

func TestConfigCheck(t *testing.T) {
	t.Setenv("VIGIL_SECRET", strings.Repeat("s", 48))
	t.Setenv("VIGIL_CORP_CLIENT_SECRET", "x")
	t.Setenv("VIGIL_IDV_CLIENT_SECRET", "x")
	t.Setenv("VIGIL_SMTP_PASSWORD", "x")
	code, out, errs := runCmd(t, "config", "check", "../../examples/vigil.yaml")
	if code != 0 || !strings.Contains(out, "ok (1 providers, 3 apps)") {
		t.Fatalf("example config: exit %d %s %s", code, out, errs)
	}
	for _, v := range []string{"VIGIL_SSF_IDP_PUSH_TOKEN", "VIGIL_SSF_EDR_POLL_TOKEN", "VIGIL_SSF_HR_TOKEN", "VIGIL_SSF_SIEM_TOKEN", "VIGIL_ADMIN_TOKEN"} {
		t.Setenv(v, strings.Repeat("t", 32))
	}
	if code, out, errs := runCmd(t, "config", "check", "../../examples/vigil-risk.yaml"); code != 0 || !strings.Contains(out, "ok (") {
		t.Fatalf("example risk config: exit %d %s %s", code, out, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte(`
server: {public_url: https://v.example.com}
session: {secret: {value: "0123456789abcdef0123456789abcdef"}}
providers: [{name: corp, issuer: https://i.example.com, client_id: c}]
apps:
  - name: a
    upstream: http://127.0.0.1:1
    policies: [{action: allow, include: [{cel: "user.email +"}]}, {action: allow, include: [{ip: "10.0.0.1/8"}]}]
`), 0o600)
	code, _, errs = runCmd(t, "config", "check", bad)
	if code != 2 || !strings.Contains(errs, "apps[0].policies[0].include[0].cel") || !strings.Contains(errs, "apps[0].policies[1].include[0].ip") {
		t.Fatalf("bad config: exit %d, stderr %s; want both problems with paths", code, errs)
	}
}

func TestPolicyTest(t *testing.T) {
	t.Setenv("VIGIL_SECRET", strings.Repeat("s", 48))
	t.Setenv("VIGIL_CORP_CLIENT_SECRET", "x")
	t.Setenv("VIGIL_IDV_CLIENT_SECRET", "x")
	t.Setenv("VIGIL_SMTP_PASSWORD", "x")
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	staff := write("staff.json", `{"sub":"u1","provider":"corp","email":"ann@example.com","email_verified":true,"groups":["eng"],"amr":["pwd","mfa"],"ip":"192.0.2.1"}`)
	contractor := write("c.json", `{"sub":"u2","provider":"corp","email":"cy@example.com","email_verified":true,"groups":["contractors"],"amr":["mfa"]}`)
	broken := write("broken.json", `{"sub":`)
	cases := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"allowed", []string{"--app", "wiki", "--identity", staff}, 0, `allow by rule "staff"`},
		{"denied with reason", []string{"--app", "wiki", "--identity", contractor, "--ip", "192.0.2.1"}, 1, "denied-by:no-contractors"},
		{"anonymous", []string{"--app", "wiki", "--ip", "192.0.2.1"}, 1, "unauthenticated"},
		{"no ip for an ip policy", []string{"--app", "wiki", "--identity", contractor}, 1, "pass --ip"},
		{"bypass by ip", []string{"--app", "wiki", "--ip", "10.0.9.7"}, 0, "bypass"},
		{"unknown app", []string{"--app", "nope", "--identity", staff}, 2, `no app named "nope"`},
		{"bad identity file", []string{"--app", "wiki", "--identity", broken}, 2, "broken.json"},
		{"bad ip", []string{"--app", "wiki", "--ip", "300.1.1.1"}, 2, "not an IP address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"policy", "test", "--config", "../../examples/vigil.yaml"}, tc.args...)
			code, out, errs := runCmd(t, args...)
			if code != tc.wantCode || !strings.Contains(out+errs, tc.want) {
				t.Errorf("exit %d, output:\n%s%s\nwant exit %d containing %q", code, out, errs, tc.wantCode, tc.want)
			}
		})
	}
}

func TestVerifierCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "idv.yaml")
	os.WriteFile(cfg, []byte(`
session: {secret: {value: "0123456789abcdef0123456789abcdef"}}
store: {dsn: `+filepath.Join(dir, "v.db")+`}
idv:
  issuer: http://127.0.0.1:1/idv
  listen: 127.0.0.1:0
  dev_mailbox: true
  clients: [{client_id: vigil, client_secret: {value: s}, redirect_uris: [http://127.0.0.1:2/.vigil/callback]}]
`), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errb syncBuffer
	go func() { done <- run(ctx, []string{"verifier", "--config", cfg}, &out, &errb) }()
	// Wait for the serving line (start-up loads keys and the face model,
	// slow under -race on a loaded machine), then stop it.
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(errb.String(), "vigil verifier serving") && time.Now().Before(deadline) {
		select {
		case code := <-done:
			t.Fatalf("vigil verifier exited early: %d\n%s", code, errb.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("vigil verifier: exit %d\n%s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "vigil verifier serving") {
		t.Errorf("no serving line in the log:\n%s", errb.String())
	}
	os.WriteFile(cfg, []byte("session: {secret: {value: short}}\n"), 0o600)
	code, _, errs := runCmd(t, "verifier", "--config", cfg)
	if code != 2 || !strings.Contains(errs, "idv: required") || !strings.Contains(errs, "session.secret") {
		t.Errorf("bad verifier config: exit %d\n%s", code, errs)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
