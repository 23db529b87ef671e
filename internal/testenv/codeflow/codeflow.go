package codeflow

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Callback is what the relying party received at one request.
type Callback struct {
	Code, State, Error, Description string
}

// RP is a relying party's server. Every request to it (the callback at
// RedirectURI, a post-logout redirect) is recorded and answered "rp ok".
type RP struct {
	*httptest.Server
	t testing.TB

	mu  sync.Mutex
	got []Callback
}

// NewRP starts a relying party that closes when t ends.
func NewRP(t testing.TB) *RP {
	rp := &RP{t: t}
	rp.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		rp.mu.Lock()
		rp.got = append(rp.got, Callback{Code: q.Get("code"), State: q.Get("state"), Error: q.Get("error"), Description: q.Get("error_description")})
		rp.mu.Unlock()
		fmt.Fprint(w, "rp ok")
	}))
	t.Cleanup(rp.Close)
	return rp
}

// RedirectURI is the relying party's callback URL.
func (rp *RP) RedirectURI() string { return rp.URL + "/callback" }

// Reached reports whether resp, after its redirects, ended at the relying
// party.
func (rp *RP) Reached(resp *http.Response) bool {
	return resp.Request.URL.Host == strings.TrimPrefix(rp.URL, "http://")
}

// Last is the latest request the relying party received; none fails the
// test.
func (rp *RP) Last() Callback {
	rp.t.Helper()
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if len(rp.got) == 0 {
		rp.t.Fatal("relying party received no callback")
	}
	return rp.got[len(rp.got)-1]
}

// Browser is an HTTP client with its own cookie jar that follows redirects.
func Browser(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// NoRedirect returns a copy of c that stops at the first redirect.
func NoRedirect(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

// PKCE returns a code verifier and its S256 challenge.
func PKCE() (verifier, challenge string) {
	b := make([]byte, 32)
	rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// AuthorizeURL is the authorization endpoint with the parameters q, which
// extra overrides (an empty value removes one).
func AuthorizeURL(endpoint string, q url.Values, extra map[string]string) string {
	for k, v := range extra {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	return endpoint + "?" + q.Encode()
}

// Token is the token endpoint's answer.
type Token struct {
	Status      int
	Error       string `json:"error"`
	IDToken     string `json:"id_token"`
	AccessToken string `json:"access_token"`
}

// Exchange posts form to the token endpoint. With basicID set, the client
// authenticates by HTTP Basic (client_secret_basic), both parts
// form-encoded first as RFC 6749 section 2.3.1 asks.
func Exchange(t testing.TB, endpoint string, form url.Values, basicID, basicSecret string) Token {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out Token
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("token response (HTTP %d): %v", resp.StatusCode, err)
	}
	out.Status = resp.StatusCode
	return out
}

// Clock is a settable clock for expiry tests, safe for the provider's
// goroutines to read.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at now, to the second (JWT times are whole seconds).
func NewClock() *Clock { return &Clock{t: time.Now().Truncate(time.Second)} }

func (c *Clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *Clock) Set(t time.Time)         { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
