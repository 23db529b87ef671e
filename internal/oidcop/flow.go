package oidcop

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// This file holds what a login UI calls while it authenticates a user: the
// browser binding, attempt counting, and completing or failing the request.
//
// Every auth request is bound to the browser that first opens its login UI
// (Bind): a random cookie value is recorded with the request, later steps
// (Check, Attempt) and the op's callback must present it. A leaked auth
// request ID is then useless in another browser, and a cross-site form post
// (no cookie under SameSite=Lax) is refused.

// Bind is for the first page of a login UI: it gives the browser a binding
// cookie if it has none, binds the request to it on first sight and checks
// it afterwards. It fails for unknown, expired or completed requests.
func (p *Provider) Bind(w http.ResponseWriter, r *http.Request, id string) (Request, error) {
	browser, err := p.browserID(w, r)
	if err != nil {
		return Request{}, err
	}
	s := p.storage
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, ok := s.liveLocked(id)
	switch {
	case !ok:
		return Request{}, ErrUnknownRequest
	case pd.view.done || pd.failure != nil:
		return Request{}, ErrCompleted
	case pd.browser == "":
		pd.browser = browser
	case !sameBrowser(pd.browser, browser):
		return Request{}, ErrOtherBrowser
	}
	return cloneRequest(pd.public), nil
}

// Check returns the request if it is live, not completed and bound to the
// browser of r.
func (p *Provider) Check(r *http.Request, id string) (Request, error) {
	s := p.storage
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.boundLocked(id, presentedBrowser(r, p.cfg.BrowserCookie))
	if err != nil {
		return Request{}, err
	}
	return cloneRequest(pd.public), nil
}

// Attempt is Check that also counts an attempt (a password, a code) against
// the request. Once limit attempts have been made the request is dropped
// and ErrTooManyAttempts returned; left is how many remain after this one.
func (p *Provider) Attempt(r *http.Request, id string, limit int) (req Request, left int, err error) {
	s := p.storage
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.boundLocked(id, presentedBrowser(r, p.cfg.BrowserCookie))
	if err != nil {
		return Request{}, 0, err
	}
	if pd.attempts >= limit {
		s.deleteLocked(id)
		return Request{}, 0, ErrTooManyAttempts
	}
	pd.attempts++
	return cloneRequest(pd.public), limit - pd.attempts, nil
}

// Abandon drops the request: the user must start again at the application.
func (p *Provider) Abandon(id string) {
	p.storage.mu.Lock()
	defer p.storage.mu.Unlock()
	p.storage.deleteLocked(id)
}

// Request returns the request without checking the browser (for UIs that
// work on it outside the browser, e.g. a manual review).
func (p *Provider) Request(_ context.Context, id string) (Request, error) {
	s := p.storage
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, ok := s.liveLocked(id)
	if !ok {
		return Request{}, ErrUnknownRequest
	}
	return cloneRequest(pd.public), nil
}

// Complete records a successful authentication and returns the URL the
// browser must go to next (the op's callback, which issues the code to the
// browser the request is bound to). It checks the result: a subject
// without ':' of at most 255 bytes, an AuthTime not in the future and, when
// max_age was sent (or prompt=login), no older than it allows.
func (p *Provider) Complete(_ context.Context, id string, res Result) (string, error) {
	if err := validResult(res); err != nil {
		return "", err
	}
	s := p.storage
	now := p.cfg.Clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, ok := s.liveLocked(id)
	switch {
	case !ok:
		return "", ErrUnknownRequest
	case pd.view.done || pd.failure != nil:
		return "", ErrCompleted
	case res.AuthTime.Unix() > now.Unix():
		return "", fmt.Errorf("%w: auth_time is in the future", ErrInvalidResult)
	case !fresh(pd.public, res.AuthTime, now):
		return "", ErrStaleAuth
	}
	res.AMR = slices.Clone(res.AMR)
	pd.view.result, pd.view.done = res, true
	return p.callbackURL(id), nil
}

// Fail ends the request with an OAuth error for the relying party and
// returns the URL the browser must go to next (the op's callback, which
// redirects to the relying party with error, error_description and state).
func (p *Provider) Fail(_ context.Context, id string, e *AuthError) (string, error) {
	if e == nil {
		return "", fmt.Errorf("%w: no error given", ErrInvalidResult)
	}
	s := p.storage
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, ok := s.liveLocked(id)
	switch {
	case !ok:
		return "", ErrUnknownRequest
	case pd.view.done || pd.failure != nil:
		return "", ErrCompleted
	}
	cp := *e
	pd.failure = &cp
	return p.callbackURL(id), nil
}

func (p *Provider) callbackURL(id string) string {
	return p.callbackPath + "?id=" + url.QueryEscape(id)
}

func validResult(res Result) error {
	switch {
	case res.Subject == "" || len(res.Subject) > 255:
		return fmt.Errorf("%w: subject must have 1 to 255 bytes", ErrInvalidResult)
	case strings.Contains(res.Subject, ":"):
		// The op package encodes bearer tokens as "tokenID:subject".
		return fmt.Errorf("%w: subject must not contain ':'", ErrInvalidResult)
	case res.AuthTime.IsZero():
		return fmt.Errorf("%w: auth_time is required", ErrInvalidResult)
	case slices.Contains(res.AMR, ""):
		return fmt.Errorf("%w: empty amr value", ErrInvalidResult)
	}
	return nil
}

// fresh reports whether an authentication at authTime satisfies the
// request's max_age, at the one-second resolution of auth_time. With
// max_age=0 or prompt=login it must have happened during this request.
func fresh(req Request, authTime, now time.Time) bool {
	if req.ForceLogin() && authTime.Unix() < req.Created.Unix() {
		return false
	}
	if req.MaxAge == nil {
		return true
	}
	return now.Unix()-authTime.Unix() <= int64(*req.MaxAge/time.Second)
}

// boundLocked returns a live, unfinished request bound to browser.
func (s *memStorage) boundLocked(id, browser string) (*pending, error) {
	pd, ok := s.liveLocked(id)
	switch {
	case !ok:
		return nil, ErrUnknownRequest
	case pd.view.done || pd.failure != nil:
		return nil, ErrCompleted
	case !sameBrowser(pd.browser, browser):
		return nil, ErrOtherBrowser
	}
	return pd, nil
}

func sameBrowser(bound, presented string) bool {
	return bound != "" && subtle.ConstantTimeCompare([]byte(bound), []byte(presented)) == 1
}

func presentedBrowser(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}

// browserID returns the browser's binding value, setting a new cookie when
// it has none.
func (p *Provider) browserID(w http.ResponseWriter, r *http.Request) (string, error) {
	if c, err := r.Cookie(p.cfg.BrowserCookie); err == nil && len(c.Value) >= 32 {
		return c.Value, nil
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(p.cfg.Rand, b); err != nil {
		return "", fmt.Errorf("browser binding: %w", err)
	}
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{
		Name: p.cfg.BrowserCookie, Value: v, Path: p.base + "/",
		HttpOnly: true, Secure: !p.insecure, SameSite: http.SameSiteLaxMode,
	})
	return v, nil
}

func cloneRequest(r Request) Request {
	r.Scopes = slices.Clone(r.Scopes)
	r.ACRValues = slices.Clone(r.ACRValues)
	r.Prompt = slices.Clone(r.Prompt)
	r.UILocales = slices.Clone(r.UILocales)
	r.Claims = slices.Clone(r.Claims)
	if r.MaxAge != nil {
		d := *r.MaxAge
		r.MaxAge = &d
	}
	if r.IDTokenHint != nil {
		h := *r.IDTokenHint
		h.Audience = slices.Clone(h.Audience)
		h.AMR = slices.Clone(h.AMR)
		r.IDTokenHint = &h
	}
	return r
}
