package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/store/postgres/pgtest"
)

// adminCall sends an admin API request with the test token and returns
// the status and body.
func adminCall(t *testing.T, base, method, path, contentType, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+"/.vigil/admin/api"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("X-Vigil-Admin", "shared-config-test")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}

// configStatus is the part of GET /config the tests read.
type configStatus struct {
	SharedConfig bool `json:"shared_config"`
	Running      struct {
		Source  string `json:"source"`
		Version int64  `json:"version"`
	} `json:"running"`
	Latest *struct {
		Version int64  `json:"version"`
		Actor   string `json:"actor"`
	} `json:"latest"`
	LastFailure *struct {
		Version  int64    `json:"version"`
		Problems []string `json:"problems"`
	} `json:"last_failure"`
}

func readConfigStatus(t *testing.T, base string) configStatus {
	t.Helper()
	code, body := adminCall(t, base, "GET", "/config", "", "")
	var st configStatus
	if code != 200 || json.Unmarshal([]byte(body), &st) != nil {
		t.Fatalf("GET /config on %s: HTTP %d %s", base, code, body)
	}
	return st
}

// sharedDoc is a shared document: the demo provider and the echo app
// allowing group. It also carries a server section, which must be ignored.
func sharedDoc(issuer, upstream, group, extra string) string {
	return fmt.Sprintf(`# fleet policy
server: {public_url: "https://not-this-replica.example.com"}
providers:
  - name: demo
    issuer: %s
    client_id: vigil
    client_secret: {value: replica-secret}
    scopes: [openid, email, profile, groups]
apps:
  - name: echo
    path_prefix: /
    upstream: %s
    policies: [{name: allow-%s, action: allow, include: [{group: %s}]}]
%s`, issuer, upstream, group, group, extra)
}

// TestSharedConfigAcrossReplicas: three replicas on one PostgreSQL
// database with store.shared_config. A policy pushed through A's admin
// API changes the decision on B and C within a bounded time; a document
// with mistakes, or one needing a restart, is refused with every problem
// and changes nothing; a replica started afterwards runs the shared
// version, not its own file's policy.
func TestSharedConfigAcrossReplicas(t *testing.T) {
	pgtest.Parallel(t)
	f := newFleet(t, 4) // A, B, C, D started late
	ls, issuer, up := f.ls, f.issuer, f.up
	// Every replica's own file lets admins in; the fleet will decide otherwise.
	conf := func(l net.Listener) *config.Config { return f.config(l, true) }
	a, b, c := startReplica(t, ls[0], conf(ls[0])), startReplica(t, ls[1], conf(ls[1])), startReplica(t, ls[2], conf(ls[2]))
	if st := readConfigStatus(t, b.public); !st.SharedConfig || st.Running.Source != "file" || st.Latest != nil {
		t.Fatalf("before any push, B: %+v", st)
	}

	alice, bob := browser(), browser() // alice is in admins, bob in sales
	for who, br := range map[string]*http.Client{"alice": alice, "bob": bob} {
		if resp := signInDemo(t, br, a.public+"/", who); resp.StatusCode != 200 && resp.StatusCode != 403 {
			t.Fatalf("%s signs in through A: HTTP %d", who, resp.StatusCode)
		}
	}
	decisions := func(r *replica) string {
		ca, _, _ := status(t, alice, r.public+"/", "application/json")
		cb, _, _ := status(t, bob, r.public+"/", "application/json")
		return fmt.Sprintf("alice %d bob %d", ca, cb)
	}
	for _, r := range []*replica{a, b, c} {
		if got := decisions(r); got != "alice 200 bob 403" {
			t.Fatalf("before the push on %s: %s", r.public, got)
		}
	}

	// Push through A: sales in, admins out, everywhere.
	pushed := time.Now()
	code, body := adminCall(t, a.public, "PUT", "/config", "application/yaml", sharedDoc(issuer, up.URL, "sales", ""))
	if code != 200 || !strings.Contains(body, `"version": 1`) || !strings.Contains(body, `"ignored": [`) ||
		!strings.Contains(body, `"server"`) || !strings.Contains(body, `"applied": true`) {
		t.Fatalf("push through A: HTTP %d %s", code, body)
	}
	for _, r := range []*replica{b, c, a} {
		eventually(t, "the pushed policy on "+r.public, func() (bool, string) {
			got := decisions(r)
			return got == "alice 403 bob 200", got
		})
		t.Logf("pushed policy decides on %s %v after the push answered", r.public, time.Since(pushed).Round(time.Millisecond))
	}
	if st := readConfigStatus(t, c.public); st.Running.Source != "shared" || st.Running.Version != 1 || st.Latest == nil ||
		st.Latest.Version != 1 || st.Latest.Actor != "admin:shared-config-test" {
		t.Fatalf("C after the push: %+v", st)
	}

	// Mistakes: every one reported, nothing stored, nothing changed.
	bad := strings.Replace(sharedDoc(issuer, up.URL, "sales", "verifiers: [{name: v, issuer: ftp://x}]\n"),
		"{group: sales}", `{cel: "user.email +"}`, 1)
	bad = strings.Replace(bad, "path_prefix: /", "path_prefix: /\n    upstreem: http://typo", 1)
	code, body = adminCall(t, a.public, "PUT", "/config", "application/yaml", bad)
	if code != 422 || !strings.Contains(body, "invalid-config") || !strings.Contains(body, "field upstreem not found") {
		t.Fatalf("document with a typo: HTTP %d %s", code, body)
	}
	bad = strings.Replace(bad, "\n    upstreem: http://typo", "", 1)
	code, body = adminCall(t, b.public, "PUT", "/config", "application/yaml", bad)
	if code != 422 || !strings.Contains(body, "apps[0].policies[0].include[0].cel") || !strings.Contains(body, "verifiers[0].issuer") ||
		!strings.Contains(body, "verifiers[0].client_id") {
		t.Fatalf("document with three problems: HTTP %d %s", code, body)
	}
	// Valid on A, but the risk detectors are built at start.
	code, body = adminCall(t, a.public, "PUT", "/config", "application/yaml",
		sharedDoc(issuer, up.URL, "admins", "risk: {detectors: {travel_speed_kmh: 500}}\n"))
	if code != 422 || !strings.Contains(body, "need a restart") || !strings.Contains(body, "risk (detectors") {
		t.Fatalf("restart-only change: HTTP %d %s", code, body)
	}
	if st := readConfigStatus(t, a.public); st.Latest == nil || st.Latest.Version != 1 || st.Running.Version != 1 {
		t.Fatalf("refused pushes stored something: %+v", st)
	}
	for _, r := range []*replica{a, b, c} {
		if got := decisions(r); got != "alice 403 bob 200" {
			t.Fatalf("after refused pushes on %s: %s", r.public, got)
		}
	}

	// A replica started now runs the shared version, not its file.
	d := startReplica(t, ls[3], conf(ls[3]))
	if got := decisions(d); got != "alice 403 bob 200" {
		t.Fatalf("replica started after the push: %s", got)
	}
	if st := readConfigStatus(t, d.public); st.Running.Source != "shared" || st.Running.Version != 1 {
		t.Fatalf("D: %+v", st)
	}
}
