package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/admin/admintest"
	"github.com/vigil-gw/vigil/internal/session"
)

// TestSessionsAndRiskCommands drives the CLI against the real admin API.
func TestSessionsAndRiskCommands(t *testing.T) {
	srv := admintest.New(t)
	tok := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tok, []byte(admintest.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	common := []string{"--server", srv.URL, "--token-file", tok}
	cmd := func(args ...string) []string { return append(args, common...) }

	code, out, errOut := runCmd(t, cmd("sessions", "list")...)
	if code != 0 || !strings.Contains(out, "SESSION") || !strings.Contains(out, "ada@example.com") || !strings.Contains(out, srv.SessionID) {
		t.Fatalf("sessions list: %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCmd(t, cmd("sessions", "list", "--user", "ada@example.com", "--output", "json")...)
	var list struct {
		Sessions []struct {
			ID, User string
		} `json:"sessions"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list.Sessions) != 1 || list.Sessions[0].User != srv.UserID {
		t.Fatalf("sessions list json: %d %s", code, out)
	}

	code, out, errOut = runCmd(t, cmd("risk", "raise", "ada@example.com", "--severity", "50", "--reason", "insider case 17", "--ttl", "2h")...)
	if code != 0 || !strings.Contains(out, "risk medium (score 50)") || !strings.Contains(out, "insider case 17") {
		t.Fatalf("risk raise: %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCmd(t, cmd("risk", "show", srv.UserID)...)
	if code != 0 || !strings.Contains(out, "50/50") || !strings.Contains(out, " admin") {
		t.Fatalf("risk show: %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, cmd("risk", "reset", "ada@example.com", "--reason", "case closed")...)
	if code != 0 || !strings.Contains(out, "risk low (score 0)") || !strings.Contains(out, "cleared by admin") {
		t.Fatalf("risk reset: %d\n%s", code, out)
	}

	code, out, errOut = runCmd(t, cmd("sessions", "revoke", "--user", "ada@example.com", "--reason", "left the company")...)
	if code != 0 || !strings.Contains(out, "1 session(s) ended") {
		t.Fatalf("sessions revoke: %d\n%s%s", code, out, errOut)
	}
	_, err := srv.Sessions.Lookup(t.Context(), srv.Cookie)
	var r *session.Revoked
	if !errors.As(err, &r) || r.Reason != "left the company" {
		t.Fatalf("after the CLI revoked: %v", err)
	}

	// Mistakes are usage errors (2) or the API's words (1), never a panic.
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{cmd("sessions", "revoke"), 2, "exactly one of"},
		{cmd("sessions", "revoke", "--user", "a", "--app", "b"), 2, "exactly one of"},
		{[]string{"sessions", "list", "--server", srv.URL}, 2, "no admin token"},
		{[]string{"sessions", "list", "--token-file", tok, "--server", "ftp://x"}, 2, "--server"},
		{cmd("sessions", "list", "--output", "xml"), 2, "--output"},
		// A USER without --user would list everyone's sessions.
		{append(cmd("sessions", "list"), "ada@example.com"), 2, "unexpected arguments"},
		{cmd("risk", "show"), 2, "name one USER"},
		{cmd("risk", "fly"), 2, "unknown risk command"},
		{cmd("risk", "raise", "ada@example.com", "--severity", "500", "--reason", "x"), 1, "severity must be 1..100"},
		{cmd("risk", "show", "nobody@example.com"), 1, "no user with email"},
		{[]string{"sessions", "list", "--server", srv.URL, "--token-file", filepath.Join(t.TempDir(), "missing")}, 2, "--token-file"},
	} {
		code, out, errOut := runCmd(t, tc.args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s%s", tc.args, code, tc.code, tc.want, out, errOut)
		}
	}
	t.Setenv("VIGIL_ADMIN_TOKEN", "wrong-token-0123456789")
	if code, _, errOut := runCmd(t, "sessions", "list", "--server", srv.URL); code != 1 || !strings.Contains(errOut, "HTTP 401") {
		t.Errorf("wrong token: %d %s", code, errOut)
	}
}

// TestAdminClientFromConfig: --config needs only server.public_url and
// admin.token, not every secret the file names.
func TestAdminClientFromConfig(t *testing.T) {
	srv := admintest.New(t)
	cfg := filepath.Join(t.TempDir(), "vigil.yaml")
	body := "server:\n  public_url: " + srv.URL + "\nadmin:\n  token: {env: TEST_VIGIL_ADMIN}\nproviders:\n  - name: corp\n    client_secret: {env: TEST_UNSET_SECRET}\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TEST_VIGIL_ADMIN", admintest.Token)
	if code, out, errOut := runCmd(t, "sessions", "list", "--config", cfg); code != 0 || !strings.Contains(out, "ada@example.com") {
		t.Fatalf("sessions list --config: %d\n%s%s", code, out, errOut)
	}
}
