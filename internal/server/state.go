package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/assurance"
	"github.com/vigil-gw/vigil/internal/authn"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/gateway"
	"github.com/vigil-gw/vigil/internal/policy"
)

// state is everything rebuilt from one configuration: routes with their
// compiled policies, providers and the sign-in handler. It is immutable
// and swapped whole on reload.
type state struct {
	cfg      *config.Config
	claims   policy.ClaimRefs // what any app's policy reads of ID-token claims
	gateway  *gateway.Gateway
	auth     *authn.Handler
	provs    []*authn.Provider
	routes   *gateway.Table
	apps     map[string]*config.App
	policies map[string]*policy.Policy // each app's compiled policy, as its route has it
	clientIP *gateway.ClientIP
}

// CompileApps compiles every app's policy and reports all problems, with
// paths. `vigil config check` uses it so that it finds what serve would.
func CompileApps(c *config.Config) ([]*gateway.Route, error) {
	var errs []error
	var routes []*gateway.Route
	for i := range c.Apps {
		a := &c.Apps[i]
		pol, err := policy.Compile(a.Policies, fmt.Sprintf("apps[%d].policies", i))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		u, err := url.Parse(a.Upstream)
		if err != nil {
			errs = append(errs, fmt.Errorf("apps[%d].upstream: %v", i, err))
			continue
		}
		rt := &gateway.Route{
			App: a.Name, Host: a.Host, Prefix: a.PathPrefix, Upstream: u,
			PreserveHost: a.PreserveHost, Policy: pol, Verifier: a.Verifier,
			Risk: routeRisk(c, a),
		}
		for _, v := range c.Verifiers {
			if v.Name == a.Verifier {
				rt.VerifierACR = v.ACRValues
			}
		}
		routes = append(routes, rt)
	}
	return routes, errors.Join(errs...)
}

// buildState makes the request-handling state for cfg on top of the
// long-lived parts in s (store, sessions, signer, metrics).
func (s *Server) buildState(ctx context.Context, cfg *config.Config) (*state, error) {
	routes, err := CompileApps(cfg)
	if err != nil {
		return nil, err
	}
	st := &state{cfg: cfg, routes: gateway.NewTable(routes), apps: map[string]*config.App{}, policies: map[string]*policy.Policy{}}
	for _, rt := range routes {
		st.claims = st.claims.Merge(rt.Policy.Claims())
		st.policies[rt.App] = rt.Policy
	}
	for i := range cfg.Apps {
		st.apps[cfg.Apps[i].Name] = &cfg.Apps[i]
	}
	var trusted []netip.Prefix
	for _, t := range cfg.Server.TrustedProxies {
		p, err := config.ParsePrefix(t)
		if err != nil {
			return nil, err
		}
		trusted = append(trusted, p)
	}
	st.clientIP = &gateway.ClientIP{Trusted: trusted}

	var providers []*authn.Provider
	for _, pc := range cfg.Providers {
		p, err := authn.NewProvider(ctx, pc, authn.ProviderOptions{
			HTTPClient: s.opts.ProviderClient, Now: s.opts.Clock,
			Logger: s.log.With(slog.String("provider", pc.Name)),
		})
		if err != nil {
			return nil, fmt.Errorf("provider %s: %w", pc.Name, err)
		}
		providers = append(providers, p)
	}
	st.provs = providers
	var verifiers []*authn.Provider
	for _, vc := range cfg.Verifiers {
		dctx := ctx
		if sameOrigin(vc.Issuer, cfg.Server.PublicURL) {
			// This process serves that issuer, but not before New returns:
			// discovering it now would wait on ourselves. Discovery then
			// happens on first use or the first readiness probe.
			c, cancel := context.WithCancel(ctx)
			cancel()
			dctx = c
		}
		v, err := authn.NewVerifier(dctx, vc, authn.ProviderOptions{
			HTTPClient: s.opts.ProviderClient, Now: s.opts.Clock,
			Logger: s.log.With(slog.String("verifier", vc.Name)),
		})
		if err != nil {
			return nil, fmt.Errorf("verifier %s: %w", vc.Name, err)
		}
		verifiers = append(verifiers, v)
	}
	st.provs = append(st.provs, verifiers...) // readiness covers both
	public, _ := url.Parse(cfg.Server.PublicURL)
	hosts := map[string]bool{strings.ToLower(public.Hostname()): true}
	for _, a := range cfg.Apps {
		if a.Host != "" {
			hosts[a.Host] = true
		}
	}
	st.auth, err = authn.New(authn.Options{
		PublicURL: cfg.Server.PublicURL, Master: s.master, Providers: providers,
		Sessions: sessionCreator{s, st}, Revoker: sessionRevoker{s, cfg.Session.CookieName},
		Ledger: s.db, Apps: appProviders{st, s.opts.Clock, s.assure},
		Verifiers: verifiers, Verifications: sessionVerifications{s, cfg.Session.CookieName},
		StepUps: appProviders{st, s.opts.Clock, s.assure}, HintMinter: sessionHints{s, cfg.Session.CookieName},
		Backchannel: backchannelSessions{s},
		// Only the public host and hosts named by apps are valid return
		// targets: an app without a host does not make every host one.
		HostAllowed:    func(h string) bool { return hosts[h] },
		OnLoginFailure: s.metrics.LoginFailure,
		OnVerificationFailure: func(ctx context.Context, sessionID, reason string) {
			if sess, err := s.db.GetSession(ctx, sessionID); err == nil {
				s.assure.VerificationFailed(ctx, sess.UserID, reason)
			}
		},
		Now: s.opts.Clock, Logger: s.log.With(slog.String("part", "authn")),
	})
	if err != nil {
		return nil, err
	}
	st.gateway = gateway.New(gateway.Options{
		Routes: routes, Sessions: s.sessions, IsNoSession: isNoSession, RevokedReason: revokedReason, Minter: s.signer,
		CookieName: cfg.Session.CookieName, IsOurCookie: isOurCookie(cfg.Session.CookieName, cfg.Risk.DeviceCookie),
		Assurance: s.assure, DeviceCookie: cfg.Risk.DeviceCookie, CookieDomain: cfg.Session.CookieDomain,
		Stale:           s.staleFor(cfg.Store),
		AssertionHeader: cfg.Assertion.Header, PublicURL: cfg.Server.PublicURL,
		Transport: s.transport, ClientIP: st.clientIP, Clock: s.opts.Clock,
		Metrics: s.metrics, Audit: s.audit, Logger: s.log.With(slog.String("part", "gateway")),
	})
	return st, nil
}

// sameOrigin reports whether two URLs share scheme and host:port.
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Scheme == ub.Scheme && strings.EqualFold(ua.Host, ub.Host)
}

func isOurCookie(session, device string) func(string) bool {
	return func(name string) bool {
		return name == session || name == device || strings.HasPrefix(name, "vigil_login") || strings.HasPrefix(name, "__Secure-vigil_login")
	}
}

// appProviders answers which providers may sign in to the app a return URL
// points at: the app's list, or every provider when it names none.
type appProviders struct {
	st     *state
	now    func() time.Time
	assure *assurance.Service // nil in tools that only compile configuration
}

func (a appProviders) ProvidersFor(u *url.URL) []string {
	if names := consoleProviders(a.st.cfg, u); names != nil {
		return names
	}
	rt := a.st.routes.Match(u.Host, u.Path)
	if rt == nil {
		return nil
	}
	app := a.st.apps[rt.App]
	if len(app.Providers) > 0 {
		return app.Providers
	}
	names := make([]string, len(a.st.cfg.Providers))
	for i, p := range a.st.cfg.Providers {
		names[i] = p.Name
	}
	return names
}

var _ http.Handler = (*gateway.Gateway)(nil)
