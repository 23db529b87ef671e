package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/demoidp"
)

// TestVerificationKeptOnUser: a verification is recorded on the user as
// well as the session, so after signing out and signing in again (a new
// browser, so a new session at the primary IdP too) the user reaches the
// app without a second trip to the verification provider, and the
// assertion still carries the same verification.
func TestVerificationKeptOnUser(t *testing.T) {
	public, verifierIssuer := stepUpGateway(t, nil)
	verifierHost := strings.TrimPrefix(verifierIssuer, "http://")

	// 1. Sign in and verify, as in TestStepUpToVerificationProvider.
	first := browser()
	page := signInDemo(t, first, public+"/reports", "alice")
	if page.Request.URL.Host != verifierHost {
		readBody(t, page)
		t.Fatalf("first sign-in ended at %s, want the verification provider", page.Request.URL)
	}
	end, err := demoidp.SubmitLogin(first, page, "alice", "alice-demo-password")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, end); end.StatusCode != http.StatusOK || end.Request.URL.String() != public+"/reports" {
		t.Fatalf("after verifying: HTTP %d at %s: %s", end.StatusCode, end.Request.URL, body)
	}
	code, e := getEcho(t, first, public+"/reports", nil)
	if code != http.StatusOK || e.Claims.Verification == nil {
		t.Fatalf("upstream after verification: HTTP %d %+v", code, e)
	}
	verified := *e.Claims.Verification

	// 2. Sign out: the session is gone.
	out, err := first.PostForm(public+"/.vigil/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, out)
	if code, _ := getEcho(t, first, public+"/reports", nil); code != http.StatusUnauthorized {
		t.Fatalf("API call after logout: HTTP %d, want 401", code)
	}

	// 3. The next day, a fresh browser: sign in at the primary IdP only.
	second := browser()
	end = signInDemo(t, second, public+"/reports?q=2", "alice")
	body := readBody(t, end)
	for r := end.Request; r != nil; {
		if r.URL.Host == verifierHost {
			t.Fatalf("the second sign-in went to the verification provider (%s)", r.URL)
		}
		if r.Response == nil {
			break
		}
		r = r.Response.Request
	}
	if end.StatusCode != http.StatusOK || end.Request.URL.String() != public+"/reports?q=2" {
		t.Fatalf("second sign-in: HTTP %d at %s, want the app: %s", end.StatusCode, end.Request.URL, body)
	}
	code, e = getEcho(t, second, public+"/reports", nil)
	if code != http.StatusOK || !e.Verified {
		t.Fatalf("upstream in the new session: HTTP %d %+v", code, e)
	}
	v := e.Claims.Verification
	if v == nil || v.Level != "ial2" || v.IdP != "idv" || !v.VerifiedAt.Equal(verified.VerifiedAt) {
		t.Fatalf("new session's verified claim = %+v, want the earlier verification %+v", v, verified)
	}
}
