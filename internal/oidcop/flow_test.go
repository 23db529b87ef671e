package oidcop

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/testenv/codeflow"
)

func TestCodeFlowCarriesResult(t *testing.T) {
	e := newEnv(t)
	claims, tok := e.login(nil)
	want := map[string]any{
		"sub": "user-1", "acr": "urn:test:acr", "auth_time": float64(e.clock.Now().Unix()),
		"nonce": "n-456", "email": "user-1@example.com", "aud": publicID,
	}
	for k, v := range want {
		if got := claims[k]; got != v && !(k == "aud" && slices.Contains(toStrings(got), publicID)) {
			t.Errorf("%s = %v, want %v", k, got, v)
		}
	}
	if amr := toStrings(claims["amr"]); !slices.Equal(amr, []string{"pwd", "otp"}) {
		t.Errorf("amr = %v", amr)
	}
	if status, ui := e.userinfo(tok.AccessToken); status != http.StatusOK || ui["sub"] != "user-1" || ui["email"] != "user-1@example.com" {
		t.Errorf("userinfo: %d %v", status, ui)
	}
}

func toStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, s := range x {
			str, _ := s.(string)
			out = append(out, str)
		}
		return out
	}
	return nil
}

func TestRequestReachesAuthenticator(t *testing.T) {
	tests := []struct {
		name  string
		extra map[string]string
		check func(t *testing.T, r Request)
	}{
		{"plain", nil, func(t *testing.T, r Request) {
			if r.MaxAge != nil || r.ForceLogin() || r.Claims != nil || r.IDTokenHint != nil || r.ClientID != publicID {
				t.Errorf("%+v", r)
			}
		}},
		{"prompt=login", map[string]string{"prompt": "login"}, func(t *testing.T, r Request) {
			if r.MaxAge == nil || *r.MaxAge != 0 || !r.ForceLogin() || !slices.Equal(r.Prompt, []string{"login"}) {
				t.Errorf("%+v", r)
			}
		}},
		{"max_age", map[string]string{"max_age": "300"}, func(t *testing.T, r Request) {
			if r.MaxAge == nil || *r.MaxAge != 300*time.Second || r.ForceLogin() {
				t.Errorf("%+v", r)
			}
		}},
		{"acr_values, login_hint, ui_locales", map[string]string{"acr_values": "urn:a urn:b", "login_hint": "bob@example.com", "ui_locales": "de en"},
			func(t *testing.T, r Request) {
				if !slices.Equal(r.ACRValues, []string{"urn:a", "urn:b"}) || r.LoginHint != "bob@example.com" || !slices.Equal(r.UILocales, []string{"de", "en"}) {
					t.Errorf("%+v", r)
				}
			}},
		{"scopes", map[string]string{"scope": "openid email profile"}, func(t *testing.T, r Request) {
			if !slices.Equal(r.Scopes, []string{"openid", "email", "profile"}) {
				t.Errorf("%+v", r)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			claims, _ := e.login(tt.extra)
			r := e.auth.last(t)
			tt.check(t, r)
			if _, ok := claims["auth_time"]; !ok {
				t.Error("no auth_time")
			}
		})
	}
}

func TestClaimsParameter(t *testing.T) {
	const raw = `{"id_token": {"verified_claims": {"verification": {"trust_framework": null}, "claims": {"given_name": null}}}, "userinfo": {"email": null}}`
	const compact = `{"id_token":{"verified_claims":{"verification":{"trust_framework":null},"claims":{"given_name":null}}},"userinfo":{"email":null}}`
	e := newEnv(t)
	claims, tok := e.login(map[string]string{"claims": raw})
	if got := string(e.auth.last(t).Claims); got != compact {
		t.Errorf("authenticator got %s", got)
	}
	if claims["requested"] != compact {
		t.Errorf("ID token claims source got %v", claims["requested"])
	}
	if _, ui := e.userinfo(tok.AccessToken); ui["requested"] != compact {
		t.Errorf("userinfo claims source got %v", ui["requested"])
	}
}

func TestBadClaimsParameterGoesToRP(t *testing.T) {
	for _, bad := range []string{`nope`, `[1]`, `{"id_token":"x"}`, `{"userinfo":[]}`, `{` + strings.Repeat(" ", maxClaimsParam) + `}`} {
		e := newEnv(t)
		_, ch := codeflow.PKCE()
		res := e.authorize(codeflow.Browser(t), ch, map[string]string{"claims": bad})
		if res.Error != "invalid_request" || res.Code != "" || res.State != "st-123" {
			t.Errorf("claims %.20q: %+v", bad, res)
		}
	}
}

func TestFailGoesToRP(t *testing.T) {
	e := newEnv(t)
	e.auth.failure = &AuthError{Code: AccessDenied, Description: "the user \"cancelled\"\n"}
	_, ch := codeflow.PKCE()
	res := e.authorize(codeflow.Browser(t), ch, nil)
	if res.Error != "access_denied" || res.State != "st-123" || res.Code != "" || res.Description != "the user cancelled" {
		t.Fatalf("%+v", res)
	}
	// The request is gone.
	if _, err := e.p.Request(t.Context(), e.auth.last(t).ID); !errors.Is(err, ErrUnknownRequest) {
		t.Fatalf("request after failure: %v", err)
	}
}

func TestBeginErrorGoesToRP(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&AuthError{Code: LoginRequired}, "login_required"},
		{errors.New("database down"), "server_error"},
	}
	for _, tt := range tests {
		e := newEnv(t)
		e.auth.beginErr = tt.err
		_, ch := codeflow.PKCE()
		if res := e.authorize(codeflow.Browser(t), ch, nil); res.Error != tt.want || strings.Contains(res.Description, "database") {
			t.Errorf("%v: %+v", tt.err, res)
		}
	}
}

func TestCompleteChecksResult(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	tests := []struct {
		name  string
		extra map[string]string
		res   Result
		want  error
	}{
		{"ok", nil, Result{Subject: "s", AuthTime: now}, nil},
		{"no subject", nil, Result{AuthTime: now}, ErrInvalidResult},
		{"colon in subject", nil, Result{Subject: "a:b", AuthTime: now}, ErrInvalidResult},
		{"long subject", nil, Result{Subject: strings.Repeat("s", 256), AuthTime: now}, ErrInvalidResult},
		{"no auth_time", nil, Result{Subject: "s"}, ErrInvalidResult},
		{"future auth_time", nil, Result{Subject: "s", AuthTime: now.Add(time.Hour)}, ErrInvalidResult},
		{"empty amr", nil, Result{Subject: "s", AuthTime: now, AMR: []string{""}}, ErrInvalidResult},
		{"old auth without max_age", nil, Result{Subject: "s", AuthTime: now.Add(-time.Hour)}, nil},
		{"within max_age", map[string]string{"max_age": "60"}, Result{Subject: "s", AuthTime: now.Add(-time.Minute)}, nil},
		{"beyond max_age", map[string]string{"max_age": "60"}, Result{Subject: "s", AuthTime: now.Add(-61 * time.Second)}, ErrStaleAuth},
		{"prompt=login before request", map[string]string{"prompt": "login"}, Result{Subject: "s", AuthTime: now.Add(-time.Second)}, ErrStaleAuth},
		{"prompt=login during request", map[string]string{"prompt": "login"}, Result{Subject: "s", AuthTime: now}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.clock.Set(now)
			e.auth.result = func(Request) Result { return tt.res }
			_, ch := codeflow.PKCE()
			resp, err := codeflow.Browser(t).Get(e.authorizeURL(ch, tt.extra))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			e.auth.mu.Lock()
			got := e.auth.lastErr
			e.auth.mu.Unlock()
			if !errors.Is(got, tt.want) {
				t.Fatalf("Complete = %v, want %v", got, tt.want)
			}
			if tt.want == nil {
				if res := e.rp.Last(); res.Code == "" {
					t.Fatalf("no code: %+v", res)
				}
			}
		})
	}
}

func TestCallbackBoundToBrowser(t *testing.T) {
	e := newEnv(t)
	c := codeflow.NoRedirect(codeflow.Browser(t))
	_, ch := codeflow.PKCE()
	resp, err := c.Get(e.authorizeURL(ch, nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	login, _ := resp.Location()
	resp, err = c.Get(login.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback, err := resp.Location()
	if resp.StatusCode != http.StatusSeeOther || err != nil || !strings.HasSuffix(callback.Path, "/op/authorize/callback") {
		t.Fatalf("login: %d %v", resp.StatusCode, callback)
	}
	cb := callback.String()
	steps := []struct {
		name   string
		client *http.Client
		url    string
		want   int
	}{
		{"other browser", codeflow.NoRedirect(codeflow.Browser(t)), cb, http.StatusForbidden},
		{"two ids", c, cb + "&id=other", http.StatusBadRequest},
		{"unknown id", c, e.issuer() + "/authorize/callback?id=nope", http.StatusNotFound},
		{"right browser", c, cb, http.StatusFound},
	}
	for _, s := range steps {
		resp, err := s.client.Get(s.url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != s.want {
			t.Fatalf("%s: %d, want %d", s.name, resp.StatusCode, s.want)
		}
	}
}

func TestBindAndAttempts(t *testing.T) {
	e := newEnv(t)
	var id string
	e.auth.result = func(r Request) Result { id = r.ID; return Result{} } // Complete fails: request stays open
	c := codeflow.Browser(t)
	_, ch := codeflow.PKCE()
	resp, err := c.Get(e.authorizeURL(ch, nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	bound, _ := http.NewRequest(http.MethodPost, e.issuer()+"/login", nil)
	for _, ck := range c.Jar.Cookies(bound.URL) {
		bound.AddCookie(ck)
	}
	stranger, _ := http.NewRequest(http.MethodPost, e.issuer()+"/login", nil)
	if _, err := e.p.Check(stranger, id); !errors.Is(err, ErrOtherBrowser) {
		t.Fatalf("stranger: %v", err)
	}
	if _, err := e.p.Check(bound, "nope"); !errors.Is(err, ErrUnknownRequest) {
		t.Fatalf("unknown: %v", err)
	}
	for want := 2; want >= 0; want-- {
		if _, left, err := e.p.Attempt(bound, id, 3); err != nil || left != want {
			t.Fatalf("attempt: %d %v, want %d", left, err, want)
		}
	}
	if _, _, err := e.p.Attempt(bound, id, 3); !errors.Is(err, ErrTooManyAttempts) {
		t.Fatalf("4th attempt: %v", err)
	}
	if _, err := e.p.Check(bound, id); !errors.Is(err, ErrUnknownRequest) {
		t.Fatalf("after lockout: %v", err)
	}
}

func TestRequestExpires(t *testing.T) {
	e := newEnv(t)
	var id string
	e.auth.result = func(r Request) Result { id = r.ID; return Result{} }
	_, ch := codeflow.PKCE()
	resp, err := codeflow.Browser(t).Get(e.authorizeURL(ch, nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	e.clock.Advance(11 * time.Minute)
	if _, err := e.p.Complete(t.Context(), id, Result{Subject: "s", AuthTime: e.clock.Now()}); !errors.Is(err, ErrUnknownRequest) {
		t.Fatalf("Complete after expiry: %v", err)
	}
}

func TestPromptNone(t *testing.T) {
	e := newEnv(t)
	_, ch := codeflow.PKCE()
	if res := e.authorize(codeflow.Browser(t), ch, map[string]string{"prompt": "none"}); res.Error != "login_required" {
		t.Fatalf("%+v", res)
	}
}

func TestIDTokenHint(t *testing.T) {
	e := newEnv(t)
	_, tok := e.login(nil)
	e.login(map[string]string{"id_token_hint": tokIDToken(tok)})
	h := e.auth.last(t).IDTokenHint
	if h == nil || h.Subject != "user-1" || h.ACR != "urn:test:acr" || !slices.Equal(h.AMR, []string{"pwd", "otp"}) || h.Expired {
		t.Fatalf("hint = %+v", h)
	}
	_, ch := codeflow.PKCE()
	if res := e.authorize(codeflow.Browser(t), ch, map[string]string{"id_token_hint": "e30.e30.e30"}); res.Error != "login_required" {
		t.Fatalf("bad hint: %+v", res)
	}
}

func tokIDToken(t codeflow.Token) string { return t.IDToken }

func TestReservedClaimsRefused(t *testing.T) {
	e := newEnv(t)
	e.claims.extra = map[string]any{"acr": "urn:forged"}
	v, ch := codeflow.PKCE()
	res := e.authorize(codeflow.Browser(t), ch, nil)
	if tok := e.exchange(res.Code, v); tok.Status == http.StatusOK {
		t.Fatal("token issued with a forged acr from the claims source")
	}
}
