package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	vadmin "github.com/vigil-gw/vigil/internal/admin"

	"github.com/vigil-gw/vigil/internal/demoidp"
)

// browser is one user's browser: a cookie jar kept across trials, so the
// device cookie stays the same (a fresh browser every trial would raise
// new-device risk until the user is stepped up), and a client that does
// not follow redirects, for asking a gateway what it answers.
type browser struct {
	jar    *cookiejar.Jar
	follow *http.Client
	once   *http.Client
}

func newBrowser() *browser {
	jar, _ := cookiejar.New(nil) // never fails without options
	tr := &http.Transport{MaxIdleConnsPerHost: 4, DisableCompression: true}
	return &browser{
		jar:    jar,
		follow: &http.Client{Jar: jar, Transport: tr, Timeout: 15 * time.Second},
		once: &http.Client{Transport: tr, Timeout: 5 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// signIn signs the user in through gw at the demo IdP over real OIDC
// (authorization code + PKCE), ending at the app. It starts where the
// gateway's "Sign in again" link points: after a revocation with a reason
// the app itself answers with that page, not with a redirect.
func (b *browser) signIn(ctx context.Context, gw, user, password string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, gw+"/.vigil/login?rd="+url.QueryEscape(gw+"/"), nil)
	req.Header.Set("Accept", "text/html")
	page, err := b.follow.Do(req)
	if err != nil {
		return fmt.Errorf("opening the app: %w", err)
	}
	resp, err := demoidp.SubmitLogin(b.follow, page, user, password)
	if err != nil {
		return fmt.Errorf("signing in: %w", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), gw+"/") {
		return fmt.Errorf("signing in ended with HTTP %d at %s", resp.StatusCode, resp.Request.URL)
	}
	return nil
}

// cookies is the Cookie header the browser sends to gw. The jar ignores
// ports, so every gateway on 127.0.0.1 gets the same cookies.
func (b *browser) cookies(gw string) (string, error) {
	u, err := url.Parse(gw)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, c := range b.jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	if len(parts) == 0 {
		return "", errors.New("no cookies after signing in")
	}
	return strings.Join(parts, "; "), nil
}

// answer is what a gateway said, redirects not followed.
type answer struct {
	status   int
	location string
	body     []byte // the first 16 KiB
}

// get asks gw for the app's front page with the given cookies.
func (b *browser) get(ctx context.Context, gw, cookie string) (answer, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, gw+"/", nil)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Cookie", cookie)
	resp, err := b.once.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, location: resp.Header.Get("Location")}
	a.body, err = io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	io.Copy(io.Discard, resp.Body)
	return a, err
}

// signedOut reports whether a is the gateway sending a signed-out user
// away: the redirect to sign in, or (when the session was revoked with a
// reason) the page saying so.
func (a answer) signedOut() bool {
	switch a.status {
	case http.StatusFound:
		return strings.Contains(a.location, "/.vigil/login")
	case http.StatusUnauthorized:
		return bytes.Contains(a.body, []byte("session-revoked"))
	}
	return false
}

// admin calls a gateway's admin API.
type admin struct{ c *vadmin.Client }

func newAdmin(gw, token string) *admin {
	return &admin{c: &vadmin.Client{Base: gw, Token: token,
		HTTP: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}, Timeout: 10 * time.Second}}}
}

func (a *admin) call(ctx context.Context, method, path string, body, out any) error {
	if err := a.c.Call(ctx, method, path, body, out); err != nil {
		return fmt.Errorf("admin %s %s: %w", method, path, err)
	}
	return nil
}

// sessionView is the part of the admin API's session listing used here.
type sessionView struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	CreatedAt time.Time `json:"created_at"`
}

// newestSession is the user's most recently created live session.
func (a *admin) newestSession(ctx context.Context, email string) (sessionView, error) {
	var out struct {
		Sessions []sessionView `json:"sessions"`
	}
	if err := a.call(ctx, http.MethodGet, "/sessions?user="+url.QueryEscape(email), nil, &out); err != nil {
		return sessionView{}, err
	}
	if len(out.Sessions) == 0 {
		return sessionView{}, fmt.Errorf("no live session of %s after signing in", email)
	}
	newest := out.Sessions[0]
	for _, s := range out.Sessions[1:] {
		if s.CreatedAt.After(newest.CreatedAt) {
			newest = s
		}
	}
	return newest, nil
}

// revoke ends sessions by scope ("session" or "user") and key, and
// checks that at least one ended.
func (a *admin) revoke(ctx context.Context, scope, key string) error {
	var out struct {
		Revoked int `json:"revoked"`
	}
	body := map[string]string{"scope": scope, "key": key, "reason": "revocation benchmark"}
	if err := a.call(ctx, http.MethodPost, "/sessions/revoke", body, &out); err != nil {
		return err
	}
	if out.Revoked < 1 {
		return fmt.Errorf("revoke %s %s ended no session", scope, key)
	}
	return nil
}
