package admin_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/admin/admintest"
)

// call sends one authorized request and returns the status and body.
func call(t *testing.T, base, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, base+admin.BasePath+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Vigil-Admin", "jane")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	json.NewDecoder(resp.Body).Decode(&raw)
	return resp.StatusCode, string(raw)
}

type step struct {
	name, method, path, body string
	status                   int
	want                     []string // substrings of the body
	not                      []string // must not appear
}

func runSteps(t *testing.T, base string, steps []step) {
	t.Helper()
	for _, tc := range steps {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, base, tc.method, tc.path, tc.body)
			if status != tc.status {
				t.Fatalf("HTTP %d %s, want %d", status, body, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("body %s lacks %q", body, w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(body, n) {
					t.Errorf("body %s has %q", body, n)
				}
			}
		})
	}
}

func TestUsersEndpoints(t *testing.T) {
	s := admintest.New(t)
	runSteps(t, s.URL, []step{
		{"list", "GET", "/users", "", 200, []string{s.UserID, `"sessions": 1`, `"risk": "low"`}, nil},
		{"query by part of the email", "GET", "/users?query=ADA@", "", 200, []string{s.UserID}, nil},
		{"query matching nobody", "GET", "/users?query=zed", "", 200, []string{`"users": []`}, nil},
		{"bad limit", "GET", "/users?limit=0", "", 400, []string{"invalid-request", "limit"}, nil},
		{"limit too big", "GET", "/users?limit=5000", "", 400, []string{"invalid-request"}, nil},
		{"show by email", "GET", "/users/ada@example.com", "", 200,
			[]string{`"subject": "ada"`, `"eng"`, `"sessions": 1`, `"level": "low"`}, []string{"cookie"}},
		{"show by ID", "GET", "/users/" + s.UserID, "", 200, []string{`"email": "ada@example.com"`}, nil},
		{"show unknown", "GET", "/users/nobody@example.com", "", 404, []string{"not-found"}, nil},
		{"show unknown ID", "GET", "/users/corp:nobody", "", 404, []string{"not-found"}, nil},
	})
}

func TestPolicyTestEndpoint(t *testing.T) {
	s := admintest.New(t)
	runSteps(t, s.URL, []step{
		{"stored user allowed", "POST", "/policy/test", `{"app":"wiki","user":"ada@example.com"}`, 200,
			[]string{`"decision": "allow"`, `"rule": "engineers"`, `"user": "` + s.UserID, `allowed-by:engineers`}, nil},
		{"given identity denied", "POST", "/policy/test", `{"app":"wiki","identity":{"sub":"x","provider":"corp","groups":["sales"]}}`, 200,
			[]string{`"decision": "deny"`, "default deny"}, nil},
		{"anonymous", "POST", "/policy/test", `{"app":"wiki"}`, 200, []string{`"decision": "deny"`, "not signed in"}, nil},
		{"risk override", "POST", "/policy/test", `{"app":"wiki","user":"ada@example.com","risk":"high"}`, 200,
			[]string{`"decision": "deny"`, `"risk": "high"`}, nil},
		{"unknown app", "POST", "/policy/test", `{"app":"nope","user":"ada@example.com"}`, 404, []string{"not-found", "nope"}, nil},
		{"no app", "POST", "/policy/test", `{"user":"ada@example.com"}`, 400, []string{"app is required"}, nil},
		{"both user and identity", "POST", "/policy/test", `{"app":"wiki","user":"ada@example.com","identity":{"sub":"x"}}`, 400, []string{"not both"}, nil},
		{"bad ip", "POST", "/policy/test", `{"app":"wiki","ip":"10.0.0"}`, 400, []string{"not an IP"}, nil},
		{"bad risk", "POST", "/policy/test", `{"app":"wiki","risk":"severe"}`, 400, []string{"risk must be"}, nil},
		{"bad JSON", "POST", "/policy/test", `{"app":`, 400, []string{"invalid-request"}, nil},
		{"unknown member", "POST", "/policy/test", `{"app":"wiki","path":"/x"}`, 400, []string{"invalid-request"}, nil},
		{"unknown user", "POST", "/policy/test", `{"app":"wiki","user":"nobody@example.com"}`, 404, []string{"not-found"}, nil},
	})
	// A raised risk reaches the decision.
	runSteps(t, s.URL, []step{
		{"raise", "POST", "/users/ada@example.com/risk/raise", `{"severity":80,"reason":"case 7"}`, 200, nil, nil},
		{"stored user at high risk", "POST", "/policy/test", `{"app":"wiki","user":"ada@example.com"}`, 200,
			[]string{`"decision": "deny"`, `"risk": "high"`}, nil},
	})
}

func TestReviewEndpoints(t *testing.T) {
	s := admintest.New(t)
	runSteps(t, s.URL, []step{
		{"queue", "GET", "/reviews", "", 200, []string{admintest.ReviewID, "manual-review-required"}, []string{admintest.DoneID}},
		{"bad limit", "GET", "/reviews?limit=x", "", 400, []string{"invalid-request"}, nil},
		{"show", "GET", "/reviews/" + admintest.ReviewID, "", 200,
			[]string{`"decision": "borderline"`, `"distance": 0.52`, `"name_matches": true`, `"type": "passport"`,
				`"kind": "document-front"`, "face matches the portrait (borderline)", "document not expired"},
			[]string{"L898902C3", "1974-08-12", "sealed"}},
		{"show unknown", "GET", "/reviews/vr-nope", "", 404, []string{"not-found"}, nil},
		{"show invalid id", "GET", "/reviews/a%20b", "", 404, []string{"not-found"}, nil},
		{"reject without reason", "POST", "/reviews/" + admintest.ReviewID + "/reject", `{}`, 400, []string{"reason"}, nil},
		{"reject unknown", "POST", "/reviews/vr-nope/reject", `{"reason":"x"}`, 404, []string{"not-found"}, nil},
		{"approve decided", "POST", "/reviews/" + admintest.DoneID + "/approve", "", 409, []string{"conflict", "approved"}, nil},
		{"reject bad JSON", "POST", "/reviews/" + admintest.ReviewID + "/reject", `{"reason":`, 400, []string{"invalid-request"}, nil},
		{"reject", "POST", "/reviews/" + admintest.ReviewID + "/reject", `{"reason":"photo of a screen"}`, 200,
			[]string{`"status": "rejected"`, `"reviewer": "admin:jane"`, "photo of a screen"}, nil},
		{"reject again", "POST", "/reviews/" + admintest.ReviewID + "/reject", `{"reason":"x"}`, 409, []string{"conflict"}, nil},
		{"queue empty", "GET", "/reviews", "", 200, []string{`"reviews": []`}, nil},
	})
	none := admintest.NewWith(t, admintest.Options{NoVerifier: true})
	runSteps(t, none.URL, []step{
		{"no verifier", "GET", "/reviews", "", 404, []string{"no built-in verifier"}, nil},
		{"no verifier approve", "POST", "/reviews/x/approve", "", 404, []string{"no built-in verifier"}, nil},
	})
}

func TestAuditEndpoint(t *testing.T) {
	s := admintest.New(t)
	runSteps(t, s.URL, []step{
		{"empty", "GET", "/audit", "", 200, []string{`"records": []`}, nil},
		{"raise", "POST", "/users/ada@example.com/risk/raise", `{"severity":10,"reason":"first"}`, 200, nil, nil},
		{"reset", "POST", "/users/ada@example.com/risk/reset", `{"reason":"second"}`, 200, nil, nil},
		{"revoke app", "POST", "/sessions/revoke", `{"scope":"app","key":"wiki","reason":"rotate"}`, 200, nil, nil},
		{"by user", "GET", "/audit?user=ada@example.com", "", 200, []string{"second", "first"}, []string{"rotate"}},
		{"by app", "GET", "/audit?app=wiki", "", 200, []string{"rotate"}, []string{"first"}},
		{"by decision", "GET", "/audit?decision=reset:low", "", 200, []string{"second"}, []string{"first"}},
		{"limit", "GET", "/audit?limit=1", "", 200, []string{"rotate"}, []string{"second"}},
		{"since the future", "GET", "/audit?since=2999-01-01T00:00:00Z", "", 200, []string{`"records": []`}, nil},
		{"since a duration", "GET", "/audit?since=1h&user=" + s.UserID, "", 200, []string{"first"}, nil},
		{"bad since", "GET", "/audit?since=yesterday", "", 400, []string{"since"}, nil},
		{"bad limit", "GET", "/audit?limit=-1", "", 400, []string{"limit"}, nil},
	})
	// Newest first.
	_, body := call(t, s.URL, "GET", "/audit?user="+s.UserID, "")
	if strings.Index(body, "second") > strings.Index(body, "first") {
		t.Errorf("not newest first: %s", body)
	}
	off := admintest.NewWith(t, admintest.Options{NoAudit: true})
	runSteps(t, off.URL, []step{{"no file", "GET", "/audit", "", 409, []string{"conflict", "log.audit"}, nil}})
}

func TestStreamsEndpoint(t *testing.T) {
	s := admintest.New(t)
	runSteps(t, s.URL, []step{
		{"subscriber without streams", "GET", "/ssf/streams", "", 200,
			[]string{`"name": "` + admintest.Subscriber, `"audience": "https://hr.example.com"`, `"streams": []`}, nil},
	})
}

// TestControlCharacters: an operator's label or reason with a control
// character (a C1 CSI is valid UTF-8 and valid in a header) never reaches
// an audit record or a terminal as it is.
func TestControlCharacters(t *testing.T) {
	s := admintest.New(t)
	req, _ := http.NewRequest("POST", s.URL+admin.BasePath+"/reviews/"+admintest.ReviewID+"/approve", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Vigil-Admin", "jane\u009b2J")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v admin.ReviewView
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != 200 {
		t.Fatalf("approve: HTTP %d, %v", resp.StatusCode, err)
	}
	if v.Decision == nil || v.Decision.Reviewer != "admin" {
		t.Errorf("reviewer with a control character recorded as %+v, want admin", v.Decision)
	}
	// Checked before the queue is asked: 400 even for a decided one.
	runSteps(t, s.URL, []step{
		{"reason with CSI", "POST", "/reviews/" + admintest.ReviewID + "/reject", `{"reason":"x\u009b2J"}`, 400, []string{"one line"}, nil},
	})
}
