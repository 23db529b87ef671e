//go:build unix

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const cliAdminToken = "config-cli-test-admin-token-0123"

// TestConfigCommands runs `vigil serve` with store.shared_config and
// drives `vigil config` against it: status, push, show, a refused push,
// mistakes, and SIGHUP with a shared version running.
func TestConfigCommands(t *testing.T) {
	dir := t.TempDir()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("upstream")) }))
	t.Cleanup(up.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	public := "http://" + addr
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The providers' issuer answers nothing: a gateway starts without it.
	shared := func(rule string) string {
		return fmt.Sprintf(`providers: [{name: corp, issuer: "http://127.0.0.1:1", client_id: c}]
apps:
  - name: echo
    upstream: %s
    policies: [%s]
`, up.URL, rule)
	}
	file := func(proxies string) string {
		return fmt.Sprintf(`server: {listen: %q, public_url: %q, trusted_proxies: [%s]}
session: {secret: {value: "config-cli-test-session-secret-0123456789"}}
store: {driver: sqlite, dsn: %q, shared_config: true}
log: {format: text, audit: "off"}
admin: {token: {value: %q}}
`, addr, public, proxies, filepath.Join(dir, "vigil.db"), cliAdminToken) +
			shared("{action: allow, include: [{group: staff}]}")
	}
	cfgPath := write("vigil.yaml", file("10.0.0.1"))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errb syncBuffer
	go func() { done <- run(ctx, []string{"serve", "--config", cfgPath}, &out, &errb) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("vigil serve did not stop")
		}
	})
	waitLog := func(what string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(errb.String(), what) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the log:\n%s", what, errb.String())
			}
			select {
			case code := <-done:
				t.Fatalf("vigil serve exited: %d\n%s", code, errb.String())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	waitLog("vigil serving")
	if !strings.Contains(errb.String(), "config=file") {
		t.Errorf("serving line without the configuration's source:\n%s", errb.String())
	}
	anonymous := func() int {
		req, _ := http.NewRequest("GET", public+"/", nil)
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	tok := write("token", cliAdminToken+"\n")
	common := []string{"--server", public, "--token-file", tok}
	cmd := func(args ...string) []string { return append(args, common...) }

	code, o, e := runCmd(t, cmd("config", "status")...)
	if code != 0 || !strings.Contains(o, "its file (no shared version applied yet)") || !strings.Contains(o, "latest:       none stored") {
		t.Fatalf("status before a push: %d\n%s%s", code, o, e)
	}
	if code, o, e := runCmd(t, cmd("config", "show")...); code != 1 || !strings.Contains(e, "no shared configuration is stored") {
		t.Fatalf("show before a push: %d\n%s%s", code, o, e)
	}

	open := write("open.yaml", "server: {public_url: \"https://elsewhere.example.com\"}\n"+
		shared("{name: open, action: bypass, include: [{everyone: true}]}"))
	code, o, e = runCmd(t, cmd("config", "push", open)...)
	if code != 0 || !strings.Contains(o, "version 1 stored (sha256 ") || !strings.Contains(o, "ignored, each replica keeps its own: server") ||
		!strings.Contains(o, "applied on this replica") {
		t.Fatalf("push: %d\n%s%s", code, o, e)
	}
	if got := anonymous(); got != 200 {
		t.Fatalf("after the push an anonymous request gets HTTP %d, want 200 (bypass)", got)
	}
	code, o, _ = runCmd(t, cmd("config", "status", "--output", "json")...)
	var st struct {
		Running struct {
			Source  string `json:"source"`
			Version int64  `json:"version"`
		} `json:"running"`
	}
	if code != 0 || json.Unmarshal([]byte(o), &st) != nil || st.Running.Source != "shared" || st.Running.Version != 1 {
		t.Fatalf("status json: %d %s", code, o)
	}
	code, o, _ = runCmd(t, cmd("config", "show")...)
	if code != 0 || !strings.HasPrefix(o, "# version 1, sha256 ") || !strings.Contains(o, "action: bypass") || strings.Contains(o, "elsewhere") {
		t.Fatalf("show: %d\n%s", code, o)
	}

	// Refused: every problem, one a line; nothing stored.
	bad := write("bad.yaml", strings.Replace(shared(`{action: allow, include: [{cel: "user.email +"}]}`), "apps:", "verifiers: [{name: v}]\napps:", 1))
	code, o, e = runCmd(t, cmd("config", "push", bad)...)
	if code != 1 || !strings.Contains(e, "HTTP 422") || !strings.Contains(e, "\n  apps[0].policies[0].include[0].cel") ||
		!strings.Contains(e, "\n  verifiers[0].issuer") || !strings.Contains(e, "\n  verifiers[0].client_id") {
		t.Fatalf("bad push: %d\n%s%s", code, o, e)
	}
	if code, o, _ := runCmd(t, cmd("config", "status")...); code != 0 || !strings.Contains(o, "latest:       version 1 ") {
		t.Fatalf("a refused push was stored:\n%s", o)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{cmd("config", "push"), 2, "name the FILE"},
		{cmd("config", "push", filepath.Join(dir, "missing.yaml")), 2, "missing.yaml"},
		{cmd("config", "show", "x"), 2, "VERSION is a positive number"},
		{cmd("config", "show", "7"), 1, "no stored version 7"},
		{cmd("config", "status", "extra"), 2, "takes no arguments"},
		{cmd("config", "frob"), 2, "unknown config command"},
		{[]string{"config", "--help"}, 0, "--allow-restart"},
	} {
		if code, o, e := runCmd(t, tc.args...); code != tc.code || !strings.Contains(o+e, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s%s", tc.args, code, tc.code, tc.want, o, e)
		}
	}

	// SIGHUP: the file's own sections apply, its apps do not.
	write("vigil.yaml", file("10.0.0.2"))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog("providers, verifiers, idv, risk and apps still from the store")
	if got := anonymous(); got != 200 {
		t.Fatalf("after SIGHUP: HTTP %d, want the shared policy's 200", got)
	}
}
