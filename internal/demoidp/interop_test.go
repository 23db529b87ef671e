package demoidp_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/internal/testenv/nodeclient"
	"github.com/vigil-gw/vigil/internal/testenv/oauth2proxy"
)

// Interop tests: independent relying parties (openid-client, OpenID
// certified; oauth2-proxy) sign alice in at the demo IdP over real HTTP.

const (
	interopSecret = "interop-secret-0123456789abcdef"
	alicePassword = "alice-demo-password"
)

// interopKey is generated once: RSA key generation is slow under -race.
// RSA, because RS256 is what both relying parties expect by default.
var interopKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// startIdP serves a demo IdP with the default users on a loopback server
// and registers clients (confidential, with interopSecret).
func startIdP(t *testing.T, clients map[string]string) string {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	var cs []demoidp.Client
	for id, redirect := range clients {
		cs = append(cs, demoidp.Client{ID: id, Secret: interopSecret, RedirectURIs: []string{redirect}})
	}
	idp, err := demoidp.New(demoidp.Config{
		Issuer: srv.URL, Users: demoidp.DefaultUsers(), Clients: cs, SigningKey: interopKey(),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", idp)
	return idp.Issuer()
}

func browserClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 20 * time.Second}
}

// toLoginPage GETs start and follows redirects; it must end on the demo
// IdP's login page.
func toLoginPage(t *testing.T, c *http.Client, start, issuer string) *http.Response {
	t.Helper()
	resp, err := c.Get(start)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), issuer+"/login") {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		t.Fatalf("GET %s ended at %s with HTTP %d, want the demo login page:\n%s", start, resp.Request.URL, resp.StatusCode, body)
	}
	return resp
}

func TestInteropOpenIDClient(t *testing.T) {
	port := nodeclient.PickPort(t)
	issuer := startIdP(t, map[string]string{"node-rp": nodeclient.RedirectURI(port)})
	rp := nodeclient.Start(t, nodeclient.Options{
		Issuer: issuer, ClientID: "node-rp", ClientSecret: interopSecret,
		Scopes: []string{"openid", "email", "profile", "groups"}, Port: port,
	})

	t.Run("alice signs in", func(t *testing.T) {
		c := browserClient(t)
		page := toLoginPage(t, c, rp.URL+"/login", issuer)
		resp, err := demoidp.SubmitLogin(c, page, "alice", alicePassword)
		if err != nil {
			t.Fatal(err)
		}
		res := decodeResult(t, resp, rp.RedirectURI)
		if !res.OK || !res.IDTokenValidated {
			t.Fatalf("relying party failed: %s: %s", res.Error, res.Message)
		}
		claims := res.IDTokenClaims
		if aud := anyStrings(claims["aud"]); claims["aud"] != "node-rp" && !slices.Equal(aud, []string{"node-rp"}) {
			t.Errorf("ID token aud = %v, want node-rp", claims["aud"])
		}
		for k, want := range map[string]any{"sub": "demo-alice", "iss": issuer, "email": "alice@example.com"} {
			if claims[k] != want {
				t.Errorf("ID token %s = %v, want %v", k, claims[k], want)
			}
		}
		if claims["nonce"] == nil || claims["nonce"] == "" {
			t.Error("ID token carries no nonce")
		}
		if got := res.UserInfo["sub"]; got != "demo-alice" {
			t.Errorf("userinfo sub = %v", got)
		}
		if got := res.UserInfo["email"]; got != "alice@example.com" {
			t.Errorf("userinfo email = %v", got)
		}
		groups := anyStrings(res.UserInfo["groups"])
		if g := anyStrings(claims["groups"]); len(g) > 0 {
			groups = g
		}
		if !slices.Contains(groups, "engineering") || !slices.Contains(groups, "admins") {
			t.Errorf("groups = %v (ID token %v, userinfo %v), want engineering and admins",
				groups, claims["groups"], res.UserInfo["groups"])
		}
	})

	// The library, not this test, checks the state: a callback whose state
	// was changed in transit must be rejected before any token is accepted.
	t.Run("tampered state is rejected by the library", func(t *testing.T) {
		c := browserClient(t)
		page := toLoginPage(t, c, rp.URL+"/login", issuer)
		stop := *c
		stop.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), rp.RedirectURI) {
				return http.ErrUseLastResponse
			}
			return nil
		}
		resp, err := demoidp.SubmitLogin(&stop, page, "alice", alicePassword)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := resp.Location()
		if err != nil || !strings.HasPrefix(loc.String(), rp.RedirectURI) {
			t.Fatalf("login ended with HTTP %d at %v, want a redirect to the callback", resp.StatusCode, loc)
		}
		q := loc.Query()
		if q.Get("code") == "" {
			t.Fatalf("callback carries no code: %s", loc)
		}
		q.Set("state", q.Get("state")+"x")
		loc.RawQuery = q.Encode()
		resp, err = c.Get(loc.String())
		if err != nil {
			t.Fatal(err)
		}
		res := decodeResult(t, resp, rp.RedirectURI)
		if res.OK || res.IDTokenValidated || res.IDTokenClaims != nil {
			t.Fatalf("tampered state accepted: %+v", res)
		}
		if !strings.Contains(strings.ToLower(res.Message), "state") {
			t.Errorf("error = %s: %s, want a state mismatch", res.Error, res.Message)
		}
	})
}

func TestInteropOAuth2Proxy(t *testing.T) {
	// The upstream echoes the identity headers oauth2-proxy sets.
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"path":  r.URL.Path,
			"email": r.Header.Get("X-Forwarded-Email"),
			"user":  r.Header.Get("X-Forwarded-User"),
			"group": r.Header.Get("X-Forwarded-Groups"),
		})
	}))
	t.Cleanup(upstream.Close)
	port := oauth2proxy.PickPort(t)
	issuer := startIdP(t, map[string]string{"oauth2-proxy": oauth2proxy.RedirectURI(port)})
	proxy := oauth2proxy.Start(t, oauth2proxy.Options{
		Issuer: issuer, ClientID: "oauth2-proxy", ClientSecret: interopSecret,
		Upstream: upstream.URL, Scopes: []string{"openid", "email", "profile", "groups"}, Port: port,
	})

	c := browserClient(t)
	// Before sign-in the proxy must not reach the upstream.
	page := toLoginPage(t, c, proxy.URL+"/app/page", issuer)
	resp, err := demoidp.SubmitLogin(c, page, "alice", alicePassword)
	if err != nil {
		t.Fatal(err)
	}
	got := decodeUpstream(t, resp, proxy.URL+"/app/page")
	if got["email"] != "alice@example.com" || got["user"] != "demo-alice" {
		t.Errorf("upstream saw email %q user %q, want alice@example.com and demo-alice", got["email"], got["user"])
	}

	// The session cookie now lets alice through without the OP.
	resp, err = c.Get(proxy.URL + "/again")
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeUpstream(t, resp, proxy.URL+"/again"); got["email"] != "alice@example.com" {
		t.Errorf("second request: upstream saw email %q", got["email"])
	}

	// A browser without the cookie is sent to the OP again.
	toLoginPage(t, browserClient(t), proxy.URL+"/again", issuer).Body.Close()
}

func decodeUpstream(t *testing.T, resp *http.Response, want string) map[string]string {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != want {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		t.Fatalf("ended at %s with HTTP %d, want %s:\n%s", resp.Request.URL, resp.StatusCode, want, body)
	}
	var got map[string]string
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&got); err != nil {
		t.Fatalf("upstream answer: %v", err)
	}
	return got
}

func decodeResult(t *testing.T, resp *http.Response, redirectURI string) nodeclient.Result {
	t.Helper()
	defer resp.Body.Close()
	if !strings.HasPrefix(resp.Request.URL.String(), redirectURI) {
		t.Fatalf("flow ended at %s (HTTP %d), want the relying party's callback", resp.Request.URL, resp.StatusCode)
	}
	var res nodeclient.Result
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&res); err != nil {
		t.Fatalf("callback answered HTTP %d, not JSON: %v", resp.StatusCode, err)
	}
	return res
}

func anyStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
