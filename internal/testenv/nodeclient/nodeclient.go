package nodeclient

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/testenv/proc"
)

// readyTimeout bounds the wait for the READY line; it covers discovery.
const readyTimeout = 30 * time.Second

// project is the pinned Node project the relying party runs from.
var project = proc.NodeProject{Dir: "testdata/openid-client", Script: "rp.mjs", Package: "openid-client"}

// Options configures one relying party process.
type Options struct {
	// Issuer is the OP's issuer URL. It must be https, or plain http on
	// 127.0.0.1, localhost or [::1]; the OP must already be serving, since
	// the relying party runs discovery at start.
	Issuer   string
	ClientID string
	// ClientSecret selects client_secret_basic; empty makes a public client
	// (token_endpoint_auth_method none, PKCE only).
	ClientSecret string
	// Scopes requested; they must include "openid". Default: openid email profile.
	Scopes []string
	// Port is where the relying party listens on 127.0.0.1. It must be
	// chosen first (see PickPort) so that RedirectURI(Port) can be
	// registered at the OP before Start.
	Port int
}

// Client is a running openid-client relying party. It stops when the test ends.
type Client struct {
	// URL is the base URL, http://127.0.0.1:PORT. GET URL+"/login" starts a
	// login; the flow ends at RedirectURI, which answers JSON (see Result).
	URL         string
	RedirectURI string
}

// Result is the JSON the callback answers.
type Result struct {
	OK bool `json:"ok"`
	// IDTokenValidated is set only after openid-client validated the ID
	// token (signature, issuer, audience, expiry, nonce) and the state.
	IDTokenValidated bool           `json:"id_token_validated"`
	IDTokenClaims    map[string]any `json:"id_token_claims"`
	UserInfo         map[string]any `json:"userinfo"`
	TokenType        string         `json:"token_type"`
	Scope            string         `json:"scope"`
	// Error and Message describe a failure: the library's error code (e.g.
	// OAUTH_JWT_CLAIM_COMPARISON_FAILED) or the OP's OAuth error.
	Error   string `json:"error"`
	Message string `json:"message"`
}

// PickPort returns a port on 127.0.0.1 that was free a moment ago. Another
// process may take it before Start listens; Start then fails clearly.
func PickPort(t testing.TB) int {
	t.Helper()
	return proc.FreePort(t, "nodeclient")
}

// RedirectURI is the callback URL of a relying party on port, to register
// at the OP.
func RedirectURI(port int) string {
	return "http://127.0.0.1:" + strconv.Itoa(port) + "/callback"
}

// Start runs testdata/openid-client/rp.mjs for the life of t. It installs
// the Node dependencies on first use. Without Node.js it skips the test,
// unless CI is set, where it fails.
func Start(t testing.TB, opts Options) *Client {
	t.Helper()
	env, err := scriptEnv(opts)
	if err != nil {
		t.Fatalf("nodeclient: %v", err)
	}
	node, dir := proc.Node(t, "nodeclient", project)
	cmd := exec.Command(node, "rp.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...) // RP_WATCH_STDIN: the child exits when stdin closes
	base := proc.Start(t, cmd, proc.Options{
		Name: "nodeclient", Role: "relying party", Timeout: readyTimeout,
		ParseReady: func(line string) (string, error) { return parseReady(line, opts.Port) },
	})
	return &Client{URL: base, RedirectURI: RedirectURI(opts.Port)}
}

// scriptEnv validates opts and renders them as rp.mjs's environment. The
// script checks the issuer rule too; checking here gives a Go-side error.
func scriptEnv(o Options) ([]string, error) {
	var errs []error
	u, err := url.Parse(o.Issuer)
	switch {
	case err != nil || u.Host == "":
		errs = append(errs, fmt.Errorf("Issuer %q is not an absolute URL", o.Issuer))
	case u.Scheme == "https":
	case u.Scheme == "http" && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1"):
	default:
		errs = append(errs, fmt.Errorf("Issuer %q must be https (plain http only on loopback)", o.Issuer))
	}
	if o.ClientID == "" {
		errs = append(errs, errors.New("ClientID is required"))
	}
	if o.Port < 1 || o.Port > 65535 {
		errs = append(errs, fmt.Errorf("Port %d: choose one with PickPort and register RedirectURI(port) first", o.Port))
	}
	scopes := o.Scopes
	if len(scopes) == 0 {
		scopes = []string{"openid", "email", "profile"}
	}
	hasOpenID := false
	for _, s := range scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
			errs = append(errs, fmt.Errorf("bad scope %q", s))
		}
		hasOpenID = hasOpenID || s == "openid"
	}
	if !hasOpenID {
		errs = append(errs, errors.New(`Scopes must include "openid"`))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return []string{
		"RP_PORT=" + strconv.Itoa(o.Port),
		"RP_ISSUER=" + o.Issuer,
		"RP_CLIENT_ID=" + o.ClientID,
		"RP_CLIENT_SECRET=" + o.ClientSecret,
		"RP_SCOPES=" + strings.Join(scopes, " "),
		"RP_WATCH_STDIN=1",
	}, nil
}
