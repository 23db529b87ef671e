package nodeop

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/testenv/proc"
)

// readyTimeout bounds the wait for the provider's READY line.
const readyTimeout = 30 * time.Second

// Options configures one provider process.
type Options struct {
	Clients []Client
	// Users overrides the claims of some login names. Any other name still
	// signs in, as name@example.com with no groups.
	Users map[string]User
}

// Client is a statically registered relying party. It authenticates at the
// token endpoint with client_secret_basic and must use PKCE (S256).
type Client struct {
	ID                     string
	Secret                 string
	RedirectURIs           []string // plain http://127.0.0.1 URIs are accepted
	PostLogoutRedirectURIs []string
	BackchannelLogoutURI   string // optional; the OP then POSTs logout tokens to it
	IDTokenAlg             string // "ES256" (default) or "RS256"
}

// User holds the claims for one login name. Zero fields take the defaults
// derived from the name: email name@example.com, verified, name = login.
type User struct {
	Email           string
	EmailUnverified bool // makes email_verified false, to test fail-closed paths
	Name            string
	Groups          []string
}

// Provider is a running oidc-provider. It stops when the test ends.
type Provider struct {
	// Issuer is the OP's issuer URL, http://127.0.0.1:PORT without a trailing slash.
	Issuer string
}

// project is the pinned Node project the provider runs from.
var project = proc.NodeProject{Dir: "testdata/oidc-provider", Script: "server.mjs", Package: "oidc-provider"}

// Start runs testdata/oidc-provider/server.mjs for the life of t. It installs
// the Node dependencies on first use. Without Node.js it skips the test,
// unless CI is set, where it fails.
func Start(t testing.TB, opts Options) *Provider {
	t.Helper()
	node, dir := proc.Node(t, "nodeop", project)
	cfg, err := opConfig(opts)
	if err != nil {
		t.Fatalf("nodeop: %v", err)
	}
	cmd := exec.Command(node, "server.mjs")
	cmd.Dir = dir
	// OP_WATCH_STDIN: the child exits when stdin closes, even if the test binary is killed.
	cmd.Env = append(os.Environ(), "OP_PORT=0", "OP_CONFIG="+cfg, "OP_WATCH_STDIN=1")
	issuer := proc.Start(t, cmd, proc.Options{Name: "nodeop", Role: "provider", ParseReady: parseReady, Timeout: readyTimeout})
	return &Provider{Issuer: issuer}
}

// parseReady checks the READY line: the issuer must be plain http on the
// loopback address, since that is all the server may listen on.
func parseReady(line string) (string, error) {
	rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "READY ")
	if !ok {
		return "", fmt.Errorf("unexpected first line from provider: %q", line)
	}
	u, err := url.Parse(rest)
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("provider announced a bad issuer %q", rest)
	}
	return "http://" + u.Host, nil
}

// opConfig renders Options as the OP_CONFIG JSON that server.mjs reads.
func opConfig(o Options) (string, error) {
	type client struct {
		ID                     string   `json:"client_id"`
		Secret                 string   `json:"client_secret"`
		RedirectURIs           []string `json:"redirect_uris"`
		PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
		BackchannelLogoutURI   string   `json:"backchannel_logout_uri,omitempty"`
		AuthMethod             string   `json:"token_endpoint_auth_method"`
		IDTokenAlg             string   `json:"id_token_signed_response_alg"`
	}
	type user struct {
		Email         string   `json:"email,omitempty"`
		EmailVerified bool     `json:"email_verified"`
		Name          string   `json:"name,omitempty"`
		Groups        []string `json:"groups"`
	}
	cfg := struct {
		Clients []client        `json:"clients"`
		Users   map[string]user `json:"users"`
	}{Clients: []client{}, Users: map[string]user{}}

	var errs []error
	for i, c := range o.Clients {
		alg := c.IDTokenAlg
		if alg == "" {
			alg = "ES256"
		}
		if c.ID == "" || c.Secret == "" || len(c.RedirectURIs) == 0 {
			errs = append(errs, fmt.Errorf("client %d: ID, Secret and RedirectURIs are required", i))
		}
		if alg != "ES256" && alg != "RS256" {
			errs = append(errs, fmt.Errorf("client %q: IDTokenAlg %q is not ES256 or RS256", c.ID, alg))
		}
		cfg.Clients = append(cfg.Clients, client{c.ID, c.Secret, c.RedirectURIs, c.PostLogoutRedirectURIs,
			c.BackchannelLogoutURI, "client_secret_basic", alg})
	}
	for name, u := range o.Users {
		groups := u.Groups
		if groups == nil {
			groups = []string{}
		}
		cfg.Users[name] = user{u.Email, !u.EmailUnverified, u.Name, groups}
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	b, err := json.Marshal(cfg)
	return string(b), err
}
