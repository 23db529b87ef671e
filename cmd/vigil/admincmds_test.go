package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/admin/admintest"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/store"
)

// adminCmd returns a runner of CLI commands against srv, its output and
// exit status.
func adminCmd(t *testing.T, srv *admintest.Server) func(args ...string) (int, string, string) {
	t.Helper()
	tok := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tok, []byte(admintest.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(args ...string) (int, string, string) {
		t.Helper()
		return runCmd(t, append(args, "--server", srv.URL, "--token-file", tok)...)
	}
}

func wantOut(t *testing.T, what string, code int, out, errOut string, wantCode int, want ...string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("%s: exit %d, want %d\n%s%s", what, code, wantCode, out, errOut)
		return
	}
	for _, w := range want {
		if !strings.Contains(out+errOut, w) {
			t.Errorf("%s: no %q in\n%s%s", what, w, out, errOut)
		}
	}
}

func TestUsersCommands(t *testing.T) {
	srv := admintest.New(t)
	vigil := adminCmd(t, srv)

	code, out, errOut := vigil("users", "list")
	wantOut(t, "users list", code, out, errOut, 0, "USER", "RISK", srv.UserID, "ada@example.com", "Ada", "low")
	code, out, errOut = vigil("users", "list", "--query", "nobody-here")
	wantOut(t, "users list --query (no match)", code, out, errOut, 0, "USER")
	if strings.Contains(out, srv.UserID) {
		t.Errorf("users list --query nobody-here lists ada:\n%s", out)
	}
	code, out, errOut = vigil("users", "list", "--query", "ada", "--limit", "1", "--output", "json")
	var list struct {
		Users []struct {
			ID       string `json:"id"`
			Sessions int    `json:"sessions"`
		} `json:"users"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list.Users) != 1 || list.Users[0].ID != srv.UserID || list.Users[0].Sessions != 1 {
		t.Fatalf("users list json: %d\n%s%s", code, out, errOut)
	}

	// A factor makes the risk table appear under the user.
	if code, out, errOut := vigil("risk", "raise", "ada@example.com", "--severity", "45", "--reason", "HR case 9"); code != 0 {
		t.Fatalf("risk raise: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = vigil("users", "show", "ada@example.com")
	wantOut(t, "users show", code, out, errOut, 0, "user:", srv.UserID, "provider:", "corp (subject ada)",
		"groups:", "eng", "verification:", "none", "risk:", "medium (score 45)", "sessions:", "1", "HR case 9", "45/45")
	code, out, errOut = vigil("users", "show", srv.UserID, "--output", "json")
	var u struct {
		ID     string   `json:"id"`
		Groups []string `json:"groups"`
		Risk   struct {
			Level string `json:"level"`
		} `json:"risk"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &u) != nil || u.ID != srv.UserID || len(u.Groups) != 1 || u.Risk.Level != "medium" {
		t.Fatalf("users show json: %d\n%s%s", code, out, errOut)
	}

	// A user verified by the built-in verifier: level, provider, when and
	// the kinds of evidence, without the document's number or birth date.
	verifiedAt := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if err := srv.DB.UpsertPersonByDocument(t.Context(), &store.Person{Subject: "idv-grace", DocumentKey: "doc-key-grace",
		GivenName: "Grace", BirthDate: "1980-01-02", ACR: "ial2", VerifiedAt: verifiedAt, CreatedAt: verifiedAt, UpdatedAt: verifiedAt,
		VerifiedClaims: []byte(`{"verification":{"trust_framework":"nist_800_63A","evidence":[{"type":"document","document_details":{"type":"passport","document_number":"X1234567"},"check_details":[{"check_method":"vcrypt"},{"check_method":"bvr"}]}]},"claims":{"given_name":"Grace"}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := srv.Sessions.Create(t.Context(), identity.Identity{Provider: "corp", Subject: "grace", Email: "grace@example.com",
		Groups: []string{"ops", "eng"}, Verification: &identity.Verification{Provider: "idv", Subject: "idv-grace", Level: "ial2",
			TrustFramework: "nist_800_63A", VerifiedAt: verifiedAt, Methods: []string{"vcrypt", "bvr"}, DocumentCountry: "UTO"}},
		session.Meta{IP: "192.0.2.8"}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = vigil("users", "show", "grace@example.com")
	wantOut(t, "users show (verified)", code, out, errOut, 0, "groups:        ops, eng",
		"level ial2 by idv at "+verifiedAt.Local().Format(time.DateTime), "trust framework nist_800_63A", "methods vcrypt, bvr",
		"document from UTO", "evidence:", "document passport: vcrypt, bvr", "risk:          low (score 0)")
	for _, secret := range []string{"X1234567", "1980-01-02"} {
		if strings.Contains(out, secret) {
			t.Errorf("users show prints %s:\n%s", secret, out)
		}
	}
	code, out, errOut = vigil("users", "list", "--query", "grace")
	wantOut(t, "users list (verified)", code, out, errOut, 0, "grace@example.com", "ial2")

	// An identity provider's text cannot drive the operator's terminal or
	// forge a row.
	if _, _, err := srv.Sessions.Create(t.Context(), identity.Identity{Provider: "corp", Subject: "mallory", Email: "mallory@example.com",
		Name: "Mal\x1b]0;owned\x07lory\ncorp:fake  root@example.com"}, session.Meta{IP: "192.0.2.9"}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = vigil("users", "list", "--query", "mallory")
	wantOut(t, "users list (hostile name)", code, out, errOut, 0, "Mal\uFFFD]0;owned\uFFFDlory corp:fake")
	if strings.Contains(out, "\x1b") || strings.Contains(out, "\ncorp:fake") {
		t.Errorf("users list passes a hostile name through:\n%q", out)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"users", "show", "nobody@example.com"}, 1, "no user with email"},
		{[]string{"users", "show"}, 2, "name one USER"},
		{[]string{"users", "show", "a", "b"}, 2, "unexpected arguments"},
		{[]string{"users", "list", "--limit", "-3"}, 2, "--limit must be positive"},
		{[]string{"users", "list", "--limit", "5000"}, 1, "limit must be 1..1000"},
		{[]string{"users", "list", "extra"}, 2, "unexpected arguments"},
		{[]string{"users", "fly"}, 2, "unknown users command"},
	} {
		code, out, errOut := vigil(tc.args...)
		wantOut(t, strings.Join(tc.args, " "), code, out, errOut, tc.code, tc.want)
	}
	code, out, errOut = runCmd(t, "users")
	wantOut(t, "users", code, out, errOut, 2, "want: users list or users show")
}

func TestReviewCommands(t *testing.T) {
	srv := admintest.New(t)
	vigil := adminCmd(t, srv)

	code, out, errOut := vigil("review", "list")
	wantOut(t, "review list", code, out, errOut, 0, "ID", "STATUS", admintest.ReviewID, "review", "bob@example.com", "manual-review-required")
	if strings.Contains(out, admintest.DoneID) {
		t.Errorf("review list shows the decided verification:\n%s", out)
	}
	code, out, errOut = vigil("review", "list", "--output", "json")
	var list struct {
		Reviews []struct{ ID, Status string } `json:"reviews"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list.Reviews) != 1 || list.Reviews[0].ID != admintest.ReviewID {
		t.Fatalf("review list json: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = vigil("review", "show", admintest.ReviewID)
	wantOut(t, "review show", code, out, errOut, 0, "status:", "review", "face match:", "borderline: distance 0.52, threshold 0.50",
		"document:", "passport from UTO", "name matches", "checks passed:", "document-front", "image/jpeg")
	for _, secret := range []string{"L898902C3", "1974-08-12"} {
		if strings.Contains(out, secret) {
			t.Errorf("review show prints %s:\n%s", secret, out)
		}
	}

	// Reject without a reason: a usage error, and the verification still waits.
	code, out, errOut = vigil("review", "reject", admintest.ReviewID)
	wantOut(t, "reject without --reason", code, out, errOut, 2, "needs --reason")
	code, out, errOut = vigil("review", "reject", admintest.ReviewID, "--reason", "  ")
	wantOut(t, "reject with a blank --reason", code, out, errOut, 2, "needs --reason")
	if code, out, _ := vigil("review", "show", admintest.ReviewID, "--output", "json"); code != 0 || !strings.Contains(out, `"status": "review"`) {
		t.Fatalf("after a refused reject: %d\n%s", code, out)
	}

	code, out, errOut = vigil("review", "reject", admintest.ReviewID, "--reason", "the document photo is of a screen")
	wantOut(t, "review reject", code, out, errOut, 0, "verification "+admintest.ReviewID+" rejected", "decided:", "the document photo is of a screen")
	code, out, errOut = vigil("review", "approve", admintest.ReviewID)
	wantOut(t, "approve a rejected one", code, out, errOut, 1, "HTTP 409")
	code, out, errOut = vigil("review", "list")
	if code != 0 || strings.Contains(out, admintest.ReviewID) {
		t.Errorf("review list after the reject: %d\n%s%s", code, out, errOut)
	}

	// Approve, with a note, on a server of its own (one waits per server).
	srv2 := admintest.New(t)
	vigil2 := adminCmd(t, srv2)
	code, out, errOut = vigil2("review", "approve", admintest.ReviewID, "--note", "portrait matches", "--output", "json")
	var dec struct {
		Status   string `json:"status"`
		Decision struct {
			Reviewer, Note string
		} `json:"decision"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &dec) != nil || dec.Status != "approved" || dec.Decision.Note != "portrait matches" ||
		!strings.HasPrefix(dec.Decision.Reviewer, "admin") {
		t.Fatalf("review approve: %d\n%s%s", code, out, errOut)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"review", "show", "vr-nope"}, 1, "HTTP 404"},
		{[]string{"review", "approve", admintest.DoneID}, 1, "HTTP 409"},
		{[]string{"review", "approve"}, 2, "name one verification ID"},
		{[]string{"review", "approve", admintest.DoneID, "--reason", "x"}, 2, "flag provided but not defined: -reason"},
		{[]string{"review", "reject", "vr-nope", "--reason", "x"}, 1, "HTTP 404"},
		{[]string{"review", "reject", "vr-nope", "--reason", "two\nlines"}, 1, "one line"},
		{[]string{"review", "list", "--limit", "-1"}, 2, "--limit"},
		{[]string{"review", "decide"}, 2, "unknown review command"},
	} {
		code, out, errOut := vigil(tc.args...)
		wantOut(t, strings.Join(tc.args, " "), code, out, errOut, tc.code, tc.want)
	}

	// A replica without the built-in verifier says it has no queue.
	bare := adminCmd(t, admintest.NewWith(t, admintest.Options{NoVerifier: true}))
	code, out, errOut = bare("review", "list")
	wantOut(t, "review list without a verifier", code, out, errOut, 1, "no built-in verifier", "HTTP 404")
}

func TestPolicyExplain(t *testing.T) {
	srv := admintest.New(t)
	vigil := adminCmd(t, srv)

	code, out, errOut := vigil("policy", "explain", "--app", admintest.App, "--user", "ada@example.com")
	wantOut(t, "explain ada", code, out, errOut, 0, "app wiki, user "+srv.UserID+", risk low", `allow by rule "engineers"`)
	code, out, errOut = vigil("policy", "explain", "--app", admintest.App, "--user", "ada@example.com", "--risk", "high", "--output", "json")
	var d struct {
		Decision, Risk string
		Reasons        []struct{ Code string }
	}
	if code != 1 || json.Unmarshal([]byte(out), &d) != nil || d.Decision != "deny" || d.Risk != "high" || len(d.Reasons) == 0 {
		t.Fatalf("explain at high risk: %d\n%s%s", code, out, errOut)
	}

	id := filepath.Join(t.TempDir(), "id.json")
	if err := os.WriteFile(id, []byte(`{"sub":"x","provider":"corp","groups":["sales"],"ip":"198.51.100.4"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = vigil("policy", "explain", "--app", admintest.App, "--identity", id)
	wantOut(t, "explain an identity", code, out, errOut, 1, "the identity in "+id, "deny: default deny", "decision: deny")
	code, out, errOut = vigil("policy", "explain", "--app", admintest.App)
	wantOut(t, "explain anonymous", code, out, errOut, 1, "an anonymous request", "not signed in")

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"policy", "explain", "--user", "ada@example.com"}, 2, "--app is required"},
		{[]string{"policy", "explain", "--app", "wiki", "--user", "a", "--identity", id}, 2, "not both"},
		{[]string{"policy", "explain", "--app", "wiki", "--risk", "severe"}, 2, "--risk"},
		{[]string{"policy", "explain", "--app", "wiki", "--ip", "10.0.0"}, 2, "not an IP address"},
		{[]string{"policy", "explain", "--app", "wiki", "--identity", id + ".missing"}, 2, "no such file"},
		{[]string{"policy", "explain", "--app", "wiki", "--user", "nobody@example.com"}, 1, "HTTP 404"},
		{[]string{"policy", "explain", "--app", "nope", "--user", "ada@example.com"}, 1, "nope"},
	} {
		code, out, errOut := vigil(tc.args...)
		wantOut(t, strings.Join(tc.args, " "), code, out, errOut, tc.code, tc.want)
	}

	code, out, errOut = runCmd(t, "policy", "--help")
	wantOut(t, "policy --help", code, out, errOut, 0, "vigil policy test", "vigil policy explain", "POST /policy/test")
	code, out, errOut = runCmd(t, "policy")
	wantOut(t, "policy", code, out, errOut, 2, "policy test or policy explain")
}

func TestAuditAndSSFCommands(t *testing.T) {
	srv := admintest.New(t)
	vigil := adminCmd(t, srv)

	code, out, errOut := vigil("audit", "search")
	wantOut(t, "audit search (empty)", code, out, errOut, 0, "TIME", "DECISION")
	for _, reason := range []string{"first", "second"} {
		if code, out, errOut := vigil("risk", "raise", "ada@example.com", "--severity", "10", "--reason", reason); code != 0 {
			t.Fatalf("risk raise: %d\n%s%s", code, out, errOut)
		}
	}
	code, out, errOut = vigil("audit", "search", "--user", "ada@example.com", "--since", "1h")
	wantOut(t, "audit search --user", code, out, errOut, 0, "risk", "raise:low", srv.UserID, "first (+10)", "second (+10)")
	if strings.Index(out, "second") > strings.Index(out, "first") {
		t.Errorf("audit search: not newest first:\n%s", out)
	}
	code, out, errOut = vigil("audit", "search", "--limit", "1", "--output", "json")
	var res struct {
		Records []struct {
			Kind    string   `json:"kind"`
			Reasons []string `json:"reasons"`
		} `json:"records"`
		Truncated bool `json:"truncated"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || len(res.Records) != 1 || res.Records[0].Kind != "risk" {
		t.Fatalf("audit search json: %d\n%s%s", code, out, errOut)
	}
	code, out, _ = vigil("audit", "search", "--decision", "deny")
	if code != 0 || strings.Contains(out, "first") {
		t.Errorf("audit search --decision deny: %d\n%s", code, out)
	}
	code, out, _ = vigil("audit", "search", "--since", "2999-01-01T00:00:00Z")
	if code != 0 || strings.Contains(out, "first") {
		t.Errorf("audit search from the future: %d\n%s", code, out)
	}

	code, out, errOut = vigil("ssf", "streams")
	wantOut(t, "ssf streams", code, out, errOut, 0, "SUBSCRIBER", admintest.Subscriber, "https://hr.example.com", "no stream")
	code, out, errOut = vigil("ssf", "streams", "--output", "json")
	var st struct {
		Subscribers []struct {
			Name    string            `json:"name"`
			Streams []json.RawMessage `json:"streams"`
		} `json:"subscribers"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || len(st.Subscribers) != 1 || st.Subscribers[0].Name != admintest.Subscriber || st.Subscribers[0].Streams == nil {
		t.Fatalf("ssf streams json: %d\n%s%s", code, out, errOut)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"audit", "search", "--since", "yesterday"}, 2, "--since"},
		{[]string{"audit", "search", "--since", "-1h"}, 2, "--since"},
		{[]string{"audit", "search", "--limit", "2000"}, 1, "limit must be 1..1000"},
		{[]string{"audit", "grep"}, 2, "unknown audit command"},
		{[]string{"ssf", "streams", "x"}, 2, "unexpected arguments"},
	} {
		code, out, errOut := vigil(tc.args...)
		wantOut(t, strings.Join(tc.args, " "), code, out, errOut, tc.code, tc.want)
	}
	code, out, errOut = runCmd(t, "ssf")
	wantOut(t, "ssf", code, out, errOut, 2, "want: ssf streams")

	// Records written to stdout cannot be searched here: the API says where.
	noFile := adminCmd(t, admintest.NewWith(t, admintest.Options{NoAudit: true}))
	code, out, errOut = noFile("audit", "search")
	wantOut(t, "audit search without a file", code, out, errOut, 1, "HTTP 409", "log.audit")
}

// TestAdminHelp: every new command explains itself, with the API call it
// makes and examples, and exits 0.
func TestAdminHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"users", "--help"}, []string{"GET /users", "GET /users/{USER}", "Examples:"}},
		{[]string{"review", "help"}, []string{"GET /reviews", "POST /reviews/{ID}/approve", "POST /reviews/{ID}/reject", "Examples:"}},
		{[]string{"audit", "-h"}, []string{"GET /audit", "--since", "Examples:"}},
		{[]string{"ssf", "--help"}, []string{"GET /ssf/streams", "Examples:"}},
		{[]string{"policy", "--help"}, []string{"policy test", "policy explain", "Examples:"}},
		{[]string{"--help"}, []string{"vigil users list|show", "vigil review list|show|approve|reject", "vigil audit search", "vigil ssf streams", "vigil policy explain"}},
		{[]string{"review", "reject", "--help"}, []string{"-reason"}},
	} {
		code, out, errOut := runCmd(t, tc.args...)
		wantOut(t, strings.Join(tc.args, " "), code, out, errOut, 0, tc.want...)
	}
}
