package demoidp

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/testenv/codeflow"
)

// loginPage starts an authorization and returns the body of the login page
// and its auth request ID.
func (e *env) loginPage(c *http.Client) (*http.Response, string) {
	e.t.Helper()
	_, ch := codeflow.PKCE()
	resp, err := c.Get(e.authorizeURL(publicID, ch, nil))
	if err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("login page: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	return resp, resp.Request.URL.Query().Get("authRequestID")
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWrongPassword(t *testing.T) {
	tests := []struct{ name, user, pass string }{
		{"wrong password", "alice", "bob-demo-password"},
		{"unknown user", "mallory", alicePass},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := codeflow.Browser(t)
			page, _ := e.loginPage(c)
			resp, err := SubmitLogin(c, page, tt.user, tt.pass)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Invalid username or password.") {
				t.Fatalf("got %d, body %q", resp.StatusCode, body)
			}
			// The error page is the form again, so the user can retry.
			resp.Body = io.NopCloser(strings.NewReader(body))
			resp, err = SubmitLogin(c, resp, "alice", alicePass)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if res := e.rp.Last(); res.Code == "" {
				t.Fatalf("retry after a wrong password failed: %+v", res)
			}
		})
	}
}

func TestAttemptsLimited(t *testing.T) {
	e := newEnv(t)
	c := codeflow.Browser(t)
	page, _ := e.loginPage(c)
	body := readBody(t, page)
	var last *http.Response
	for i := range maxAttempts {
		page.Body = io.NopCloser(strings.NewReader(body))
		resp, err := SubmitLogin(c, page, "alice", "guess")
		if err != nil {
			t.Fatal(err)
		}
		last = resp
		if i < maxAttempts-1 {
			body = readBody(t, resp)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, resp.StatusCode)
			}
		}
	}
	if got := readBody(t, last); last.StatusCode != http.StatusTooManyRequests || !strings.Contains(got, "Too many") {
		t.Fatalf("after %d attempts: %d %q", maxAttempts, last.StatusCode, got)
	}
	// The request is gone: even the right password no longer works.
	page.Body = io.NopCloser(strings.NewReader(body))
	resp, err := SubmitLogin(c, page, "alice", alicePass)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("right password after lockout: %d", resp.StatusCode)
	}
}

func TestLoginPostRefused(t *testing.T) {
	tests := []struct {
		name   string
		header map[string]string
		jar    bool
		want   int
	}{
		{"no browser cookie", nil, false, http.StatusForbidden},
		{"cross-site browser post", map[string]string{"Sec-Fetch-Site": "cross-site"}, true, http.StatusForbidden},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, true, http.StatusForbidden},
		{"same origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, true, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := codeflow.Browser(t)
			page, id := e.loginPage(c)
			page.Body.Close()
			form := url.Values{"authRequestID": {id}, "username": {"alice"}, "password": {alicePass}}
			req, _ := http.NewRequest(http.MethodPost, e.issuer()+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			other := codeflow.NoRedirect(codeflow.Browser(t))
			if tt.jar {
				other = codeflow.NoRedirect(c)
			}
			resp, err := other.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestCallbackBoundToBrowser(t *testing.T) {
	e := newEnv(t)
	c := codeflow.NoRedirect(codeflow.Browser(t))
	_, ch := codeflow.PKCE()
	resp, err := c.Get(e.authorizeURL(publicID, ch, nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loginURL, _ := resp.Location()
	page, err := c.Get(loginURL.String())
	if err != nil {
		t.Fatal(err)
	}
	resp, err = SubmitLogin(c, page, "alice", alicePass)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback, err := resp.Location()
	if resp.StatusCode != http.StatusSeeOther || err != nil || !strings.HasSuffix(callback.Path, "/authorize/callback") {
		t.Fatalf("login: %d %v", resp.StatusCode, callback)
	}
	// Another browser holding the callback URL gets nothing.
	resp, err = codeflow.NoRedirect(codeflow.Browser(t)).Get(callback.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("callback in other browser: %d", resp.StatusCode)
	}
	// The right browser gets the code, once; the second time the relying
	// party gets an error instead.
	for i, want := range []int{http.StatusFound, http.StatusFound} {
		resp, err = c.Get(callback.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := resp.Location()
		if resp.StatusCode != want {
			t.Fatalf("callback %d: %d %v", i, resp.StatusCode, loc)
		}
		if i == 0 && (loc == nil || loc.Query().Get("code") == "") {
			t.Fatalf("callback gave no code: %v", loc)
		}
		if i == 1 && (loc.Query().Get("code") != "" || loc.Query().Get("error") != "invalid_request") {
			t.Fatalf("second callback: %v", loc)
		}
	}
}

func TestLoginPage(t *testing.T) {
	e := newEnv(t)
	page, id := e.loginPage(codeflow.Browser(t))
	body := readBody(t, page)
	for _, want := range []string{"Demo identity provider - for testing only", "alice", "carol", publicID, `value="` + id + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("login page lacks %q", want)
		}
	}
	if strings.Contains(body, alicePass) {
		t.Error("login page shows a password")
	}
	// The CSP allows exactly the page's own style block.
	start, end := strings.Index(body, "<style>"), strings.Index(body, "</style>")
	if start < 0 || end < start {
		t.Fatal("no style block")
	}
	sum := sha256.Sum256([]byte(body[start+len("<style>") : end]))
	csp := page.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q does not pin the style block", csp)
	}
	if page.Header.Get("X-Frame-Options") != "DENY" || page.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", page.Header)
	}
	var binding *http.Cookie
	for _, ck := range page.Cookies() {
		if ck.Name == browserCookie {
			binding = ck
		}
	}
	if binding == nil || !binding.HttpOnly || binding.SameSite != http.SameSiteLaxMode {
		t.Errorf("binding cookie = %+v", binding)
	}
}

func TestLoginPageUnknownRequest(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"", "nope", "%00"} {
		resp, err := codeflow.Browser(t).Get(e.issuer() + "/login?authRequestID=" + id)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "expired") {
			t.Errorf("id %q: %d %q", id, resp.StatusCode, body)
		}
	}
}
