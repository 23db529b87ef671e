package verifier

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/ocr"
	"github.com/vigil-gw/vigil/internal/mail"
	"github.com/vigil-gw/vigil/internal/oidcop"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
	"github.com/vigil-gw/vigil/internal/testenv/mailpit"
	"github.com/vigil-gw/vigil/internal/testenv/nodeclient"
	"github.com/vigil-gw/vigil/internal/testenv/oauth2proxy"
)

// Interop tests: independent relying parties (openid-client, OpenID
// certified; oauth2-proxy) sign a person in through the verifier's email
// rung over real HTTP. Neither RP sends acr_values, so the rung is the
// verifier's default, the lowest on the ladder.

const interopSecret = "interop-secret-0123456789abcdef"

// interopEnv is a verifier with real sqlite and mailpit and the clients
// registered. Unlike newEnv it
// knows its address before serving, so the handler is set before any
// request: the RPs call in from other processes, where the race detector
// sees no ordering between newEnv's late handler assignment and the
// server's goroutines.
func interopEnv(t *testing.T, clients ...oidcop.Client) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vigil.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mp := mailpit.Start(t)
	sender, err := mail.New(mail.Config{Host: mp.SMTPHost, Port: mp.SMTPPort, TLS: mail.TLSNone, From: "Vigil <no-reply@corp.example>"},
		time.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	v, err := New(Config{
		Issuer:  base + "/idv",
		Clients: clients,
		Master:  []byte("test master secret, at least 32 bytes long"),
		Store:   db, Mail: sender,
		// The email rung never reads a document: no tesseract needed.
		OCR:                 &ocr.Reader{},
		AllowedEmailDomains: []string{"corp.example"}, Organization: "Corp",
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		l.Close()
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: v, ReadHeaderTimeout: 10 * time.Second}}
	srv.Start()
	t.Cleanup(srv.Close)
	if srv.URL != base {
		t.Fatalf("server URL %s, issuer base %s", srv.URL, base)
	}
	return &env{t: t, v: v, db: db, mp: mp, srv: srv}
}

// interopBrowser is a browser with cookies that follows every redirect.
func interopBrowser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

// toEmailPage GETs start (an RP URL) and follows redirects; it must end on
// the verifier's email page. It returns the auth request id.
func (e *env) toEmailPage(c *http.Client, start string) string {
	t := e.t
	t.Helper()
	resp, err := c.Get(start)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	at := resp.Request.URL
	if resp.StatusCode != http.StatusOK || at.String() != e.v.Issuer()+"/email?id="+url.QueryEscape(at.Query().Get("id")) ||
		!strings.Contains(string(body), `name="address"`) {
		t.Fatalf("GET %s ended at %s with HTTP %d, want the verifier's email page:\n%s", start, at, resp.StatusCode, body)
	}
	return at.Query().Get("id")
}

// postForm posts like a browser on the verifier's page (same-origin Origin
// header, which the cross-origin protection checks).
func (e *env) postForm(c *http.Client, path, id string, form url.Values) *http.Response {
	t := e.t
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.v.Issuer()+path+"?id="+url.QueryEscape(id), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.srv.URL)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// codeFor reads the code mailed to addr (each test mails an address once).
func (e *env) codeFor(addr string) string {
	t := e.t
	t.Helper()
	m, err := e.mp.LatestMessage(addr)
	if err != nil {
		t.Fatal(err)
	}
	match := codeInMail.FindStringSubmatch(m.Text)
	if match == nil {
		t.Fatalf("no code in mail %q", m.Text)
	}
	return match[1]
}

// signIn runs the email rung from an RP URL: the email page, the address,
// the mailed code. It returns the last response (the browser followed the
// verifier's redirect back to the RP).
func (e *env) signIn(c *http.Client, start, addr string) *http.Response {
	t := e.t
	t.Helper()
	id := e.toEmailPage(c, start)
	resp := e.postForm(c, "/email/send", id, url.Values{"address": {addr}})
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), e.v.Issuer()+"/email/code?") ||
		!strings.Contains(string(body), "Enter the code") {
		t.Fatalf("send code ended at %s with HTTP %d:\n%s", resp.Request.URL, resp.StatusCode, body)
	}
	return e.postForm(c, "/email/verify", id, url.Values{"code": {e.codeFor(addr)}})
}

func TestInteropOpenIDClient(t *testing.T) {
	port, badPort := nodeclient.PickPort(t), nodeclient.PickPort(t)
	e := interopEnv(t,
		oidcop.Client{ID: "node-rp", Secret: interopSecret, RedirectURIs: []string{nodeclient.RedirectURI(port)}},
		oidcop.Client{ID: "node-rp-2", Secret: interopSecret, RedirectURIs: []string{nodeclient.RedirectURI(badPort)}})
	issuer := e.v.Issuer()
	rp := nodeclient.Start(t, nodeclient.Options{
		Issuer: issuer, ClientID: "node-rp", ClientSecret: interopSecret,
		Scopes: []string{"openid", "email", "profile"}, Port: port,
	})
	// An RP holding the wrong secret gets no tokens after a good sign-in.
	bad := nodeclient.Start(t, nodeclient.Options{
		Issuer: issuer, ClientID: "node-rp-2", ClientSecret: interopSecret + "x",
		Scopes: []string{"openid", "email"}, Port: badPort,
	})
	res := decodeRPResult(t, e.signIn(interopBrowser(t), bad.URL+"/login", "hank@corp.example"), bad.RedirectURI)
	if res.OK || res.IDTokenValidated || res.IDTokenClaims != nil || !strings.Contains(res.Error+res.Message, "invalid_client") {
		t.Fatalf("wrong client secret: %+v, want invalid_client", res)
	}

	// Two people in turn (the verifier sends one code a minute per
	// address): each gets the subject derived from their own address.
	seen := map[string]bool{}
	for i, addr := range []string{"erin@corp.example", "gwen@corp.example"} {
		wantSub := e.v.emailSubject(addr)
		if seen[wantSub] {
			t.Fatalf("two addresses share subject %s", wantSub)
		}
		seen[wantSub] = true
		before := time.Now().Unix()
		resp := e.signIn(interopBrowser(t), rp.URL+"/login", addr)
		res := decodeRPResult(t, resp, rp.RedirectURI)
		if !res.OK || !res.IDTokenValidated {
			t.Fatalf("login %d: openid-client refused: %s: %s", i, res.Error, res.Message)
		}
		claims := res.IDTokenClaims
		if aud, _ := claims["aud"].([]any); claims["aud"] != "node-rp" && !(len(aud) == 1 && aud[0] == "node-rp") {
			t.Errorf("login %d: aud = %v, want node-rp", i, claims["aud"])
		}
		for k, want := range map[string]any{"iss": issuer, "sub": wantSub, "acr": RungEmail, "email": addr, "email_verified": true} {
			if claims[k] != want {
				t.Errorf("login %d: ID token %s = %v, want %v", i, k, claims[k], want)
			}
		}
		if amr, _ := claims["amr"].([]any); len(amr) != 1 || amr[0] != amrOTP {
			t.Errorf("login %d: amr = %v, want [otp]", i, claims["amr"])
		}
		if at, ok := claims["auth_time"].(float64); !ok || int64(at) < before || int64(at) > time.Now().Unix() {
			t.Errorf("login %d: auth_time = %v, want between %d and now", i, claims["auth_time"], before)
		}
		if claims["nonce"] == nil || claims["nonce"] == "" {
			t.Errorf("login %d: no nonce in the ID token", i)
		}
		if claims["verified_claims"] != nil {
			t.Errorf("login %d: the email rung issued verified_claims: %v", i, claims["verified_claims"])
		}
		if res.UserInfo["sub"] != wantSub || res.UserInfo["email"] != addr {
			t.Errorf("login %d: userinfo = %v", i, res.UserInfo)
		}
	}
}

func TestInteropOAuth2Proxy(t *testing.T) {
	// The upstream echoes the identity headers oauth2-proxy sets.
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"email": r.Header.Get("X-Forwarded-Email"),
			"user":  r.Header.Get("X-Forwarded-User"),
		})
	}))
	t.Cleanup(upstream.Close)
	port := oauth2proxy.PickPort(t)
	e := interopEnv(t, oidcop.Client{ID: "oauth2-proxy", Secret: interopSecret, RedirectURIs: []string{oauth2proxy.RedirectURI(port)}})
	proxy := oauth2proxy.Start(t, oauth2proxy.Options{
		Issuer: e.v.Issuer(), ClientID: "oauth2-proxy", ClientSecret: interopSecret,
		Upstream: upstream.URL, Scopes: []string{"openid", "email", "profile"}, Port: port,
	})
	const addr = "frank@corp.example"

	// Before sign-in the proxy sends the browser to the verifier, not the
	// upstream (toEmailPage fails otherwise).
	c := interopBrowser(t)
	resp := e.signIn(c, proxy.URL+"/app/page", addr)
	got := decodeUpstreamAnswer(t, resp, proxy.URL+"/app/page")
	if got["email"] != addr || got["user"] != e.v.emailSubject(addr) {
		t.Errorf("upstream saw email %q user %q, want %s and %s", got["email"], got["user"], addr, e.v.emailSubject(addr))
	}

	// The proxy's session cookie lets the person through without the OP.
	resp, err := c.Get(proxy.URL + "/again")
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeUpstreamAnswer(t, resp, proxy.URL+"/again"); got["email"] != addr {
		t.Errorf("second request: upstream saw email %q", got["email"])
	}

	// Another browser is sent to the verifier again.
	e.toEmailPage(interopBrowser(t), proxy.URL+"/again")
}

func decodeRPResult(t *testing.T, resp *http.Response, redirectURI string) nodeclient.Result {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if !strings.HasPrefix(resp.Request.URL.String(), redirectURI+"?") {
		t.Fatalf("flow ended at %s (HTTP %d), want the relying party's callback:\n%s", resp.Request.URL, resp.StatusCode, body)
	}
	var res nodeclient.Result
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("callback answered HTTP %d, not JSON: %v\n%s", resp.StatusCode, err, body)
	}
	return res
}

func decodeUpstreamAnswer(t *testing.T, resp *http.Response, want string) map[string]string {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != want {
		t.Fatalf("ended at %s with HTTP %d, want %s:\n%s", resp.Request.URL, resp.StatusCode, want, body)
	}
	var got map[string]string
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("upstream answer: %v\n%s", err, body)
	}
	return got
}
