// Package quickstart runs a whole Vigil on one machine with no external
// service and no configuration file: the gateway, the demo identity
// provider (clearly labelled as such) and a demo upstream app that shows
// what the gateway told it. It is for evaluation and tests, never for
// production: its secrets are random per run and its users are public.
package quickstart

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/demoapp"
	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/internal/server"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

// Options choose addresses and where state lives.
type Options struct {
	// Listen is the gateway's address. Default 127.0.0.1:8080.
	Listen string
	// IdPListen is the demo IdP's address. Default 127.0.0.1:8081. Its
	// issuer is http://localhost:PORT, a different cookie host from the
	// gateway's 127.0.0.1, so the two never see each other's cookies.
	IdPListen string
	// DataDir keeps the database. Default: a temporary directory removed
	// on exit.
	DataDir string
	// Out receives the endpoint lines; Logger the logs.
	Out    io.Writer
	Logger *slog.Logger
	// AuditWriter receives audit records (default: the log output).
	AuditWriter io.Writer
	// Mailbox receives the verifier's code mails (default: standard error).
	Mailbox io.Writer
	// Ready, when set, is called with the endpoints once serving.
	Ready func(Endpoints)
}

// Endpoints are the URLs the quickstart prints.
type Endpoints struct {
	App, IdP, JWKS, Health, Metrics, Verifier, Review string
	// AdminToken authorizes the admin API (vigil sessions, vigil risk).
	AdminToken string
}

// Run starts everything and serves until ctx ends.
func Run(ctx context.Context, o Options) error {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:8080"
	}
	if o.IdPListen == "" {
		o.IdPListen = "127.0.0.1:8081"
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	dir := o.DataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "vigil-quickstart-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}

	gwL, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return fmt.Errorf("gateway address %s: %w (pass --listen to choose another)", o.Listen, err)
	}
	defer gwL.Close()
	idpL, err := net.Listen("tcp", o.IdPListen)
	if err != nil {
		return fmt.Errorf("demo IdP address %s: %w (pass --idp-listen to choose another)", o.IdPListen, err)
	}
	defer idpL.Close()
	appL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer appL.Close()
	metricsL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer metricsL.Close()
	reviewL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer reviewL.Close()

	public := "http://" + gwL.Addr().String()
	issuer := fmt.Sprintf("http://localhost:%d", idpL.Addr().(*net.TCPAddr).Port)
	master, clientSecret, idvSecret, adminToken := randomString(48), randomString(32), randomString(32), randomString(32)

	idp, err := demoidp.New(demoidp.Config{
		Issuer: issuer, Users: demoidp.DefaultUsers(), Logger: o.Logger.With("part", "demoidp"),
		Clients: []demoidp.Client{{
			ID: "vigil", Secret: clientSecret,
			RedirectURIs:           []string{public + "/.vigil/callback"},
			PostLogoutRedirectURIs: []string{public + "/.vigil/signed-out"},
		}},
	})
	if err != nil {
		return fmt.Errorf("demo IdP: %w", err)
	}
	// The IdP serves before the gateway starts, so that the gateway's
	// discovery of it succeeds at once.
	idpSrv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 3)
	go func() { errc <- idpSrv.Serve(idpL) }()
	defer idpSrv.Close()

	cfg := Config(Params{Public: public, Issuer: issuer, Upstream: "http://" + appL.Addr().String(),
		Master: master, ClientSecret: clientSecret, IDVSecret: idvSecret, DBPath: filepath.Join(dir, "vigil.db"),
		ReviewUpstream: "http://" + reviewL.Addr().String(), AdminToken: adminToken})
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("quickstart configuration: %w", err)
	}
	srv, err := server.New(ctx, cfg, server.Options{Logger: o.Logger, AuditWriter: o.AuditWriter, DevMailbox: o.Mailbox})
	if err != nil {
		return err
	}
	defer srv.Close()
	// One demo upstream serves all three demo apps, each under its prefix
	// and each checking that assertions were minted for it (its audience).
	mux := http.NewServeMux()
	for _, m := range []struct{ prefix, app string }{{"/", "demo"}, {"/admin", "demo-admin"}, {"/public", "demo-public"}, {"/onboarding", "onboarding"}} {
		v, err := vigilauth.NewVerifier(ctx, vigilauth.Config{
			JWKSURL: public + "/.well-known/vigil/jwks.json", Issuer: public, Audience: m.app,
		})
		if err != nil {
			return fmt.Errorf("demo app verifier: %w", err)
		}
		app, err := demoapp.New(demoapp.Config{Verifier: v, Header: cfg.Assertion.Header,
			Title: "Vigil demo app: " + m.app, Logger: o.Logger.With("part", "demoapp")})
		if err != nil {
			return fmt.Errorf("demo app: %w", err)
		}
		if m.prefix == "/" {
			mux.Handle("/", app)
		} else {
			mux.Handle(m.prefix+"/", http.StripPrefix(m.prefix, app))
		}
	}
	appSrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { errc <- appSrv.Serve(appL) }()
	defer appSrv.Close()

	ep := Endpoints{
		App: public + "/", IdP: issuer, JWKS: public + "/.well-known/vigil/jwks.json",
		Health: public + "/healthz", Metrics: "http://" + metricsL.Addr().String() + "/metrics",
		Verifier: public + "/idv", Review: public + "/review/", AdminToken: adminToken,
	}
	printEndpoints(o.Out, ep)
	if o.Ready != nil {
		o.Ready(ep)
	}
	go func() { errc <- srv.Serve(ctx, server.Listeners{Main: gwL, Metrics: metricsL, Review: reviewL}) }()
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func printEndpoints(w io.Writer, ep Endpoints) {
	fmt.Fprintf(w, "app: %s\n", ep.App)
	fmt.Fprintf(w, "idp: %s\n", ep.IdP)
	fmt.Fprintf(w, "jwks: %s\n", ep.JWKS)
	fmt.Fprintf(w, "health: %s\n", ep.Health)
	fmt.Fprintf(w, "metrics: %s\n", ep.Metrics)
	fmt.Fprintf(w, "verifier: %s\n", ep.Verifier)
	fmt.Fprintf(w, "review: %s\n", ep.Review)
	fmt.Fprintf(w, "console: %s/.vigil/console/ (sign in as alice, an admin)\n", strings.TrimSuffix(ep.App, "/"))
	if ep.AdminToken != "" {
		fmt.Fprintf(w, "admin API: %s/.vigil/admin/api (token below; try: VIGIL_ADMIN_TOKEN=... vigil sessions list --server %s)\n",
			strings.TrimSuffix(ep.App, "/"), strings.TrimSuffix(ep.App, "/"))
		fmt.Fprintf(w, "admin token: %s\n", ep.AdminToken)
	}
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Demo identity provider (for testing only) users:")
	for _, u := range demoidp.DefaultUsers() {
		fmt.Fprintf(w, "  %-6s password %-22s %s, groups %v\n", u.Username, u.Password, u.Email, u.Groups)
	}
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Open the app URL and sign in. alice may use /admin; carol (a contractor) is denied, with the reasons shown.")
	fmt.Fprintln(w, "Open "+strings.TrimSuffix(ep.App, "/")+"/onboarding to verify your identity first: the work-email code appears in this")
	fmt.Fprintln(w, "terminal (dev mailbox), then upload an ID document photo and a selfie; a reviewer (alice, an admin)")
	fmt.Fprintln(w, "approves at the review URL.")
}

// Params are the per-run values of the quickstart's configuration.
type Params struct {
	Public, Issuer, Upstream string
	Master, ClientSecret     string
	IDVSecret                string // the gateway's client secret at the built-in verifier
	DBPath                   string
	// ReviewUpstream is the verifier's review UI address; "" leaves it out.
	ReviewUpstream string
	// AdminToken turns the admin API on; "" leaves it off.
	AdminToken string
}

// Config is the quickstart's configuration, as a vigil.yaml would give it.
func Config(p Params) *config.Config {
	idvIssuer := p.Public + "/idv"
	c := &config.Config{
		Server:  config.Server{PublicURL: p.Public, Listen: "127.0.0.1:0"},
		Session: config.Session{Secret: config.Secret{Value: p.Master}},
		Store:   config.Store{Driver: "sqlite", DSN: p.DBPath},
		Log:     config.Log{Audit: "stdout"},
		Providers: []config.Provider{{
			Name: "demo", Title: "Demo identity provider", Issuer: p.Issuer,
			ClientID: "vigil", ClientSecret: config.Secret{Value: p.ClientSecret},
		}},
		// The built-in verifier, served by the gateway under /idv, with a
		// dev mailbox: codes go to the log (quickstart only).
		IDV: &config.IDV{
			Issuer: idvIssuer, Organization: "Vigil quickstart", DevMailbox: true,
			AllowedEmailDomains: []string{"example.com"},
			Clients: []config.IDVClient{{ClientID: "vigil", ClientSecret: config.Secret{Value: p.IDVSecret},
				RedirectURIs: []string{p.Public + "/.vigil/callback"}}},
		},
		Verifiers: []config.Verifier{{
			Name: "vigil-idv", Issuer: idvIssuer, ClientID: "vigil", ClientSecret: config.Secret{Value: p.IDVSecret},
			Scopes: []string{"openid", "email"}, ACRValues: []string{"urn:vigil:idv:document-review"},
			ACRLevels: map[string]string{"urn:vigil:idv:document-review": "ial2"},
			// The verifier compares the document's name with the account's.
			LoginHint: config.LoginHintAssertion,
		}},
		Apps: []config.App{
			{
				Name: "demo-admin", PathPrefix: "/admin", Upstream: p.Upstream,
				Policies: []config.Rule{{Name: "admins", Action: "allow",
					Include: []config.Selector{{Group: config.StringList{"admins"}}}}},
			},
			{
				Name: "demo-public", PathPrefix: "/public", Upstream: p.Upstream,
				Policies: []config.Rule{{Name: "anyone", Action: "bypass",
					Include: []config.Selector{{Everyone: true}}}},
			},
			{
				// Onboarding needs a verified identity (IAL2): after signing
				// in, users verify at the built-in verifier.
				Name: "onboarding", PathPrefix: "/onboarding", Upstream: p.Upstream, Verifier: "vigil-idv",
				Policies: []config.Rule{{Name: "verified-employees", Action: "allow",
					Include: []config.Selector{{EmailDomain: config.StringList{"example.com"}}},
					Require: []config.Selector{{Verified: "ial2"}}}},
			},
			{
				Name: "demo", PathPrefix: "/", Upstream: p.Upstream,
				Policies: []config.Rule{
					{Name: "no-contractors", Action: "deny", Include: []config.Selector{{Group: config.StringList{"contractors"}}}},
					{Name: "employees", Action: "allow", Include: []config.Selector{{EmailDomain: config.StringList{"example.com"}}}},
				},
			},
		},
	}
	if p.ReviewUpstream != "" {
		c.IDV.Review = config.IDVReview{Listen: strings.TrimPrefix(p.ReviewUpstream, "http://"), App: "idv-review", Groups: []string{"admins"}}
		c.Apps = append([]config.App{{
			Name: "idv-review", PathPrefix: "/review", Upstream: p.ReviewUpstream,
			Policies: []config.Rule{{Name: "reviewers", Action: "allow",
				Include: []config.Selector{{Group: config.StringList{"admins"}}}}},
		}}, c.Apps...)
	}
	// The console signs admins in through the demo IdP: alice is one, and
	// sees the evidence images on its review page.
	c.Admin.Console.Group = "admins"
	c.Admin.Console.EvidenceGroup = "admins"
	c.SetDefaults()
	if p.AdminToken != "" {
		c.Admin.Token = config.Secret{Value: p.AdminToken}
	}
	return c
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("quickstart: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
