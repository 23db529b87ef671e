package server_test

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/server"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/testenv/nodeop"
)

// TestBackchannelLogoutWithNodeOIDCProvider: alice signs in through the
// gateway at the certified Node OP, then signs out at the OP itself, not
// through the gateway. The OP POSTs a logout token to the gateway, which
// ends her session: the old cookie is sent to sign in again, and the audit
// log says why. A forged token before that ends nothing.
func TestBackchannelLogoutWithNodeOIDCProvider(t *testing.T) {
	gwL := listenLoopback(t)
	public := publicURL(gwL)
	op := nodeop.Start(t, nodeop.Options{
		Clients: []nodeop.Client{{
			ID: "vigil", Secret: "node-client-secret",
			RedirectURIs:           []string{public + "/.vigil/callback"},
			PostLogoutRedirectURIs: []string{public + "/.vigil/signed-out"},
			BackchannelLogoutURI:   public + "/.vigil/backchannel-logout",
		}},
		Users: map[string]nodeop.User{"alice": {Groups: []string{"eng"}}},
	})
	up := newUpstream(t, public)
	cfg := gatewayConfig(public, filepath.Join(t.TempDir(), "vigil.db"), up.URL, []config.Provider{{
		Name: "node", Issuer: op.Issuer, ClientID: "vigil", ClientSecret: config.Secret{Value: "node-client-secret"},
		Scopes: []string{"openid", "email", "profile", "groups"}, SigningAlgs: []string{"ES256"},
	}}, allowGroup("eng"))
	audit := serveAudited(t, gwL, cfg)

	alice := browser()
	page := get(t, alice, public+"/some/path", "text/html", nil)
	out, err := nodeop.Login(alice, page, "alice")
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	loc, err := out.Location()
	if err != nil {
		t.Fatal(err)
	}
	if resp := get(t, alice, loc.String(), "text/html", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in ended with HTTP %d at %s", resp.StatusCode, resp.Request.URL)
	} else {
		resp.Body.Close()
	}
	gwURL, _ := url.Parse(public)
	replay := noFollow(browser())
	for _, c := range alice.Jar.Cookies(gwURL) {
		if c.Name == cfg.Session.CookieName {
			replay.Jar.SetCookies(gwURL, []*http.Cookie{{Name: c.Name, Value: c.Value}})
		}
	}
	pageStatus := func() (int, string, string) {
		resp := get(t, replay, public+"/some/path", "text/html", nil)
		return resp.StatusCode, resp.Header.Get("Location"), readBody(t, resp)
	}
	if code, _, _ := pageStatus(); code != http.StatusOK {
		t.Fatalf("the session cookie does not work after sign-in: HTTP %d", code)
	}

	// A forged logout token is refused and ends nothing.
	resp, err := http.PostForm(public+"/.vigil/backchannel-logout", url.Values{"logout_token": {"eyJhbGciOiJub25lIn0.e30."}})
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Error string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || body.Error != "invalid_request" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("forged logout token: HTTP %d, error %q", resp.StatusCode, body.Error)
	}
	if code, _, _ := pageStatus(); code != http.StatusOK {
		t.Fatalf("a forged logout token ended the session: HTTP %d", code)
	}

	// Sign out at the OP's end_session endpoint, in alice's browser.
	page = get(t, alice, endSession(t, op.Issuer)+"?"+url.Values{
		"client_id": {"vigil"}, "post_logout_redirect_uri": {public + "/.vigil/signed-out"},
	}.Encode(), "text/html", nil)
	out, err = nodeop.Logout(alice, page)
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()

	// The OP delivers the token before it answers, but poll to be safe.
	deadline := time.Now().Add(10 * time.Second)
	for {
		// Refused, with the reason and a way to sign in again.
		code, where, body := pageStatus()
		if code == http.StatusUnauthorized && strings.Contains(body, "your identity provider ended your sign-in") &&
			strings.Contains(body, "/.vigil/login?rd=") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the old cookie still gets HTTP %d (Location %q) after the OP's logout", code, where)
		}
		time.Sleep(50 * time.Millisecond)
	}
	want := session.UserID("node", "alice")
	for {
		if rec := findAudit(audit.String(), "backchannel-logout"); rec != nil {
			// The OP sends sub only (the client did not register
			// backchannel_logout_session_required), so the user's sessions end.
			if rec.User != want || len(rec.Reasons) != 2 || rec.Reasons[0] != "provider:node" || rec.Reasons[1] != "sessions:1" {
				t.Fatalf("audit record %+v, want user %s, provider node, one session", rec, want)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no backchannel-logout audit record:\n%s", audit.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type auditLine struct {
	Kind    string   `json:"kind"`
	User    string   `json:"user"`
	Session string   `json:"session"`
	Reasons []string `json:"reasons"`
}

func findAudit(log, kind string) *auditLine {
	for _, l := range strings.Split(log, "\n") {
		var a auditLine
		if json.Unmarshal([]byte(l), &a) == nil && a.Kind == kind {
			return &a
		}
	}
	return nil
}

func endSession(t *testing.T, issuer string) string {
	t.Helper()
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil || meta.EndSession == "" {
		t.Fatalf("no end_session_endpoint at the OP: %v", err)
	}
	return meta.EndSession
}

// serveAudited is serve with the audit log kept for the test to read.
func serveAudited(t *testing.T, l net.Listener, cfg *config.Config) *syncBuffer {
	t.Helper()
	audit := &syncBuffer{}
	serveWith(t, l, cfg, server.Options{AuditWriter: audit})
	return audit
}
