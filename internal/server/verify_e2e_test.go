package server_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

// startIdP serves a demo IdP on l for the gateway at public, as client id.
func startIdP(t *testing.T, l net.Listener, public, id, secret string) string {
	t.Helper()
	issuer := "http://localhost:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	idp, err := demoidp.New(demoidp.Config{
		Issuer: issuer, Users: demoidp.DefaultUsers(), Logger: slog.New(slog.DiscardHandler),
		Clients: []demoidp.Client{{ID: id, Secret: secret, RedirectURIs: []string{public + "/.vigil/callback"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return issuer
}

// stepUpGateway serves a gateway whose one app lets engineers in only with
// a verified identity (ial2), with the demo IdP as primary provider and a
// second demo IdP as the verification provider (its acr mapped to ial2).
// tweak adjusts the verifier entry. It returns the gateway's public URL and
// the verifier's issuer.
func stepUpGateway(t *testing.T, tweak func(*config.Verifier)) (public, verifierIssuer string) {
	t.Helper()
	gwL, idpL, idvL := listenLoopback(t), listenLoopback(t), listenLoopback(t)
	public = publicURL(gwL)
	issuer := startIdP(t, idpL, public, "vigil", "primary-secret")
	verifierIssuer = startIdP(t, idvL, public, "vigil-idv", "verifier-secret")
	up := newUpstream(t, public)
	cfg := gatewayConfig(public, filepath.Join(t.TempDir(), "vigil.db"), up.URL, []config.Provider{{
		Name: "demo", Issuer: issuer, ClientID: "vigil", ClientSecret: config.Secret{Value: "primary-secret"},
		Scopes: []string{"openid", "email", "profile", "groups"},
	}}, []config.Rule{{Name: "verified-engineers", Action: "allow",
		Include: []config.Selector{{Group: config.StringList{"engineering"}}},
		Require: []config.Selector{{Verified: "ial2"}}}})
	v := config.Verifier{
		Name: "idv", Issuer: verifierIssuer, ClientID: "vigil-idv", ClientSecret: config.Secret{Value: "verifier-secret"},
		Scopes: []string{"openid", "email", "profile"}, ACRValues: []string{demoidp.ACR},
		ACRLevels: map[string]string{demoidp.ACR: "ial2"},
	}
	if tweak != nil {
		tweak(&v)
	}
	cfg.Verifiers = []config.Verifier{v}
	cfg.Apps[0].Verifier = "idv"
	cfg.SetDefaults()
	serve(t, gwL, cfg)
	return public, verifierIssuer
}

// TestStepUpToVerificationProvider walks the whole chain: the app's policy
// needs a verified identity (ial2), so after signing in at the primary IdP
// the browser is sent to the verification provider, whose answer (its acr,
// mapped to ial2 by configuration) is checked by the gateway, recorded on
// the session and carried to the upstream in the assertion.
func TestStepUpToVerificationProvider(t *testing.T) {
	public, verifierIssuer := stepUpGateway(t, nil)

	alice := browser()
	// An API client with no verification yet is told what to do (RFC 9470)
	// once signed in; first sign in at the primary IdP.
	page := signInDemo(t, alice, public+"/reports?q=1", "alice")
	// The gateway sent the browser on to the verifier's login page.
	if page.Request.URL.Host != strings.TrimPrefix(verifierIssuer, "http://") || !strings.Contains(page.Request.URL.Path, "/login") {
		t.Fatalf("after signing in: HTTP %d at %s, want the verification provider's login page", page.StatusCode, page.Request.URL)
	}
	// Meanwhile an API call carries the RFC 9470 challenge.
	resp := get(t, alice, public+"/reports", "application/json", nil)
	readBody(t, resp)
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="insufficient_user_authentication"`) ||
		!strings.Contains(resp.Header.Get("WWW-Authenticate"), `acr_values="`+demoidp.ACR+`"`) {
		t.Fatalf("API before verification: HTTP %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	end, err := demoidp.SubmitLogin(alice, page, "alice", "alice-demo-password")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, end)
	if end.StatusCode != 200 || end.Request.URL.String() != public+"/reports?q=1" {
		t.Fatalf("after verifying: HTTP %d at %s: %s", end.StatusCode, end.Request.URL, body)
	}
	code, e := getEcho(t, alice, public+"/reports", nil)
	if code != 200 || !e.Verified {
		t.Fatalf("upstream after verification: HTTP %d %+v", code, e)
	}
	v := e.Claims.Verification
	if v == nil || v.Level != "ial2" || v.IdP != "idv" || v.ACR != demoidp.ACR || v.VerifiedAt.IsZero() {
		t.Fatalf("assertion's verified claim = %+v, want ial2 from idv with its acr and time", v)
	}

	// Bob is in sales: verification cannot help him, so no step-up.
	bob := browser()
	resp = signInDemo(t, bob, public+"/", "bob")
	readBody(t, resp)
	if resp.StatusCode != 403 {
		t.Errorf("bob: HTTP %d at %s, want 403 without a detour to the verifier", resp.StatusCode, resp.Request.URL)
	}
}

// TestAssertionLoginHint: a verifier configured with login_hint: assertion
// receives the session's Vigil assertion minted for its issuer, which
// verifies against the gateway's JWKS with that audience only.
func TestAssertionLoginHint(t *testing.T) {
	public, verifierIssuer := stepUpGateway(t, func(v *config.Verifier) {
		v.Scopes = nil
		v.LoginHint = config.LoginHintAssertion
	})

	page := signInDemo(t, browser(), public+"/reports", "alice")
	readBody(t, page)
	// Walk the redirect chain back to the verifier's authorization request.
	var hint string
	for r := page.Request; r != nil; {
		if strings.HasPrefix(r.URL.String(), verifierIssuer+"/authorize?") {
			hint = r.URL.Query().Get("login_hint")
		}
		if r.Response == nil {
			break
		}
		r = r.Response.Request
	}
	if strings.Count(hint, ".") != 2 {
		t.Fatalf("login_hint at the verifier is %q, want a signed assertion", hint)
	}
	verify := func(aud string) (*vigilauth.Claims, error) {
		v, err := vigilauth.NewVerifier(context.Background(), vigilauth.Config{
			JWKSURL: public + "/.well-known/vigil/jwks.json", Issuer: public, Audience: aud})
		if err != nil {
			t.Fatal(err)
		}
		return v.Verify(context.Background(), hint)
	}
	c, err := verify(verifierIssuer)
	if err != nil {
		t.Fatalf("the hint does not verify for the verifier: %v", err)
	}
	if c.Email != "alice@example.com" || c.Name != "Alice Anders" || c.Expiry.Sub(c.IssuedAt) > 5*time.Minute {
		t.Fatalf("hint claims: email %q name %q lifetime %s", c.Email, c.Name, c.Expiry.Sub(c.IssuedAt))
	}
	if _, err := verify(appName); err == nil {
		t.Fatal("the hint verifies for an app: it must be minted for the verifier only")
	}
}
