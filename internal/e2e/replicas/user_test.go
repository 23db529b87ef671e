package replicas

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/demoidp"
)

// user is one person with a browser. The cookie jar ignores ports, so the
// session cookie a gateway sets reaches every gateway on 127.0.0.1, as
// behind one load balancer.
type user struct {
	demoidp.User
	follow *http.Client // follows redirects: signing in
	once   *http.Client // does not: asking a gateway what it answers
}

// newUser gives u a browser whose connections come from tr.
func newUser(u demoidp.User, tr http.RoundTripper) *user {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &user{User: u,
		follow: &http.Client{Jar: jar, Transport: tr, Timeout: 15 * time.Second},
		once: &http.Client{Jar: jar, Transport: tr, Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// signIn opens the app through the gateway at gw and signs in at the
// demo IdP (authorization code with PKCE), ending at the app.
func (u *user) signIn(gw string) error {
	req, _ := http.NewRequest(http.MethodGet, gw+"/", nil)
	req.Header.Set("Accept", "text/html")
	page, err := u.follow.Do(req)
	if err != nil {
		return fmt.Errorf("opening the app: %w", err)
	}
	if !strings.HasSuffix(page.Request.URL.Path, "/login") {
		a := read(page)
		return fmt.Errorf("opening the app ended at %s, not the IdP's login page: %s", page.Request.URL, a)
	}
	resp, err := demoidp.SubmitLogin(u.follow, page, u.Username, u.Password)
	if err != nil {
		return fmt.Errorf("signing in: %w", err)
	}
	a := read(resp)
	if at := resp.Request.URL.String(); !strings.HasPrefix(at, gw+"/") || a.status != http.StatusOK {
		return fmt.Errorf("signing in ended at %s: %s", at, a)
	}
	return nil
}

// answer is what a gateway said, redirects not followed.
type answer struct {
	status   int
	location string
	body     string // the first 16 KiB
	err      error  // the request failed
}

func (a answer) String() string {
	if a.err != nil {
		return "request failed: " + a.err.Error()
	}
	body := a.body
	if len(body) > 400 {
		body = body[:400] + "..."
	}
	return fmt.Sprintf("HTTP %d, location %q, body %s", a.status, a.location, strings.TrimSpace(body))
}

func read(resp *http.Response) answer {
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, location: resp.Header.Get("Location")}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	a.body, a.err = string(b), err
	io.Copy(io.Discard, resp.Body)
	return a
}

// get asks the gateway at gw for the app's path as a browser (text/html)
// or an API client (application/json).
func (u *user) get(gw, path, accept string) answer {
	req, _ := http.NewRequest(http.MethodGet, gw+path, nil)
	req.Header.Set("Accept", accept)
	resp, err := u.once.Do(req)
	if err != nil {
		return answer{err: err}
	}
	return read(resp)
}

// served checks a is the app's answer through gateway name to u: a
// verified assertion of u's address. It returns what is wrong, or "".
func (u *user) served(a answer, name string) string {
	if a.err != nil || a.status != http.StatusOK {
		return a.String()
	}
	var e echo
	if err := json.Unmarshal([]byte(a.body), &e); err != nil {
		return fmt.Sprintf("not the app's answer (%v): %s", err, a)
	}
	if !e.Verified || e.Email != u.Email || e.Gateway != name {
		return fmt.Sprintf("the app through %s saw %+v, want a verified assertion for %s", name, e, u.Email)
	}
	return ""
}

// How a gateway refuses a revoked session: with the page naming the
// reason (where the session was cached), or by sending the browser to
// sign in (where it was not).
const (
	refusedWithReason = "401 naming the reason"
	refusedToSignIn   = "302 to sign in"
)

// signedOut says how a refuses a revoked session, or "" if it does not.
func signedOut(a answer, reason string) string {
	switch {
	case a.err != nil:
		return ""
	case a.status == http.StatusUnauthorized && strings.Contains(a.body, "session-revoked") && strings.Contains(a.body, reason):
		return refusedWithReason
	case a.status == http.StatusFound && strings.Contains(a.location, "/.vigil/login"):
		return refusedToSignIn
	}
	return ""
}

func isSignedOut(a answer, reason string) bool { return signedOut(a, reason) != "" }
