// Package server wires Vigil's parts from a configuration: store,
// sessions, signer, sign-in handler and gateway; it owns the listeners,
// graceful shutdown and the atomic swap of request state on reload. A
// failed reload keeps the running state. It holds no request logic itself.
package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/assertion"
	"github.com/vigil-gw/vigil/internal/assurance"
	"github.com/vigil-gw/vigil/internal/audit"
	"github.com/vigil-gw/vigil/internal/changes"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/gateway"
	"github.com/vigil-gw/vigil/internal/geoip"
	"github.com/vigil-gw/vigil/internal/metrics"
	"github.com/vigil-gw/vigil/internal/opkeys"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/ssf/receiver"
	"github.com/vigil-gw/vigil/internal/ssf/transmitter"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/verifier"
)

// Options are the process-level dependencies. Zero values take defaults.
type Options struct {
	Logger *slog.Logger
	Clock  func() time.Time
	Rand   io.Reader
	// AuditWriter overrides the configured audit destination (tests).
	AuditWriter io.Writer
	// ProviderClient talks to identity providers. Default: 10s timeout.
	ProviderClient *http.Client
	// DevMailbox receives the built-in verifier's code mails when
	// idv.dev_mailbox is on. Default os.Stderr.
	DevMailbox io.Writer
}

// Server is a running Vigil.
type Server struct {
	opts      Options
	log       *slog.Logger
	master    []byte
	db        store.Backend
	newWaker  func(context.Context) (waker, error)
	sessions  *session.Manager
	signer    *assertion.Signer
	metrics   *metrics.Metrics
	audit     *audit.Log
	auditFile io.Closer
	transport *http.Transport
	ids       *gateway.RequestIDs
	state     atomic.Pointer[state]
	started   time.Time
	idv       *verifier.Verifier // nil without an idv section
	idvMount  string             // path the gateway serves it under, or ""
	review    http.Handler       // the reviewers' UI, nil without idv.review
	opKeys    *opkeys.Ring       // the verifier's ID-token keys

	// Continuous assurance (assurance.go, ssf.go).
	engine      *risk.Engine
	geo         *geoip.DB // nil without risk.geoip
	assure      *assurance.Service
	follower    *changes.Follower
	waiter      waker
	transmitter *transmitter.Transmitter // nil without ssf.subscribers
	emitter     assurance.Emitter        // the transmitter's, or nil
	ssfOut      *ssfEmitter              // the same, for session and assurance events
	receiver    *receiver.Receiver       // nil without ssf.transmitters
	admin       *admin.API               // nil without admin.token
	console     http.Handler             // nil without admin.console (console.go)
	cfgSrc      *sharedConfig            // where the configuration comes from (sharedconfig.go)
}

// New opens the store and builds every part. Close releases them.
func New(ctx context.Context, cfg *config.Config, opts Options) (_ *Server, err error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.ProviderClient == nil {
		opts.ProviderClient = &http.Client{Timeout: 10 * time.Second}
	}
	secret, err := cfg.Session.Secret.Resolve()
	if err != nil {
		return nil, fmt.Errorf("session.secret: %w", err)
	}
	s := &Server{opts: opts, log: opts.Logger, master: []byte(secret), metrics: metrics.New(),
		ids: gateway.NewRequestIDs(), started: opts.Clock()}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.audit, s.auditFile, err = openAudit(cfg.Log.Audit, opts.AuditWriter); err != nil {
		return nil, err
	}
	if s.db, s.newWaker, err = s.openStore(ctx, cfg); err != nil {
		return nil, err
	}
	// With store.shared_config the stored version, merged with this
	// file's per-replica sections, is what every part is built from.
	s.cfgSrc = newSharedConfig(s, cfg)
	if cfg, err = s.cfgSrc.atStart(ctx); err != nil {
		return nil, err
	}
	s.sessions, err = newSessions(cfg, s)
	if err != nil {
		return nil, err
	}
	s.signer, err = assertion.New(ctx, assertion.Config{
		Issuer: cfg.Server.PublicURL, TTL: cfg.Assertion.TTL.D(), KeyRotation: cfg.Assertion.KeyRotation.D(),
		MasterSecret: s.master, Store: s.db, Now: opts.Clock, Rand: opts.Rand,
		Logger: s.log.With(slog.String("part", "assertion")),
	})
	if err != nil {
		return nil, fmt.Errorf("assertion signer: %w", err)
	}
	s.sessions.OnRevoke(s.signer.Forget)
	if err := s.newTransmitter(cfg); err != nil {
		return nil, err
	}
	if err := s.newAssurance(ctx, cfg); err != nil {
		return nil, err
	}
	s.cfgSrc.follow(s.follower)
	if err := s.newReceiver(cfg); err != nil {
		return nil, err
	}
	if cfg.IDV != nil {
		if s.idv, err = newIDV(ctx, cfg, s, cfg.Server.PublicURL); err != nil {
			return nil, fmt.Errorf("idv: %w", err)
		}
		s.idvMount = idvMount(cfg)
		if cfg.IDV.Review.Listen != "" {
			if s.review, err = newReview(cfg, s); err != nil {
				return nil, fmt.Errorf("idv.review: %w", err)
			}
		}
	}
	// After idv: the admin API serves its review queue.
	if err := s.newAdmin(cfg); err != nil {
		return nil, err
	}
	if err := s.newConsole(cfg); err != nil {
		return nil, err
	}
	s.transport = newTransport()
	st, err := s.buildState(ctx, cfg)
	if err != nil {
		return nil, s.cfgSrc.startError(err)
	}
	s.state.Store(st)
	s.sessions.KeepClaims(st.claims.Names, st.claims.All)
	return s, nil
}

// createPrivate creates a database file readable by its owner only before
// SQLite opens it: it holds ID tokens and session records. URIs and
// in-memory databases are left to the driver.
func createPrivate(dsn string) error {
	if dsn == "" || dsn == ":memory:" || strings.HasPrefix(dsn, "file:") {
		return nil
	}
	f, err := os.OpenFile(dsn, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

// newTransport is the upstream transport: keep enough idle connections for
// a busy gateway (the default of 2 per host would reopen connections
// under any real concurrency).
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 256
	t.IdleConnTimeout = 90 * time.Second
	return t
}

func openAudit(dest string, override io.Writer) (*audit.Log, io.Closer, error) {
	switch {
	case override != nil:
		return audit.New(override), nil, nil
	case dest == "off":
		return nil, nil, nil
	case dest == "stdout":
		return audit.New(os.Stdout), nil, nil
	}
	f, err := os.OpenFile(dest, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("log.audit: %w", err)
	}
	return audit.New(f), f, nil
}

// Reload builds state from cfg, the configuration file read again, and
// swaps it in. Parts that cannot change while running (store, secret,
// listeners) must be unchanged; otherwise the running state stays and the
// error says what needs a restart. With store.shared_config and a shared
// version running, only cfg's per-replica sections are taken (see
// sharedConfig.reloadFile).
func (s *Server) Reload(ctx context.Context, cfg *config.Config) error {
	return s.cfgSrc.reloadFile(ctx, cfg)
}

// reload swaps in the state built from cfg, the whole configuration.
func (s *Server) reload(ctx context.Context, cfg *config.Config) error {
	if fixed := restartNeeded(s.state.Load().cfg, cfg); len(fixed) > 0 {
		return fmt.Errorf("changes to %s need a restart; keeping the running configuration", strings.Join(fixed, ", "))
	}
	st, err := s.buildState(ctx, cfg)
	if err != nil {
		return err
	}
	s.engine.SetThresholds(risk.Thresholds{Medium: cfg.Risk.Thresholds.Medium, High: cfg.Risk.Thresholds.High})
	s.state.Store(st)
	// Policies that read other claims than before: cached sessions reload
	// with the claims they now need.
	if s.sessions.KeepClaims(st.claims.Names, st.claims.All) {
		s.sessions.Resync()
	}
	return nil
}

// restartNeeded names the parts of cfg that differ from old and are built
// once, at start: a reload must not change them.
func restartNeeded(old, cfg *config.Config) []string {
	var fixed []string
	if old.Store != cfg.Store {
		fixed = append(fixed, "store")
	}
	if old.Session != cfg.Session {
		fixed = append(fixed, "session")
	}
	if old.Server.Listen != cfg.Server.Listen || old.Server.MetricsListen != cfg.Server.MetricsListen || old.Server.TLS != cfg.Server.TLS ||
		old.Server.PublicURL != cfg.Server.PublicURL || old.Server.ShutdownTimeout != cfg.Server.ShutdownTimeout {
		fixed = append(fixed, "server")
	}
	if old.Assertion != cfg.Assertion || old.Log != cfg.Log {
		fixed = append(fixed, "assertion/log")
	}
	if riskFixed(&old.Risk) != riskFixed(&cfg.Risk) {
		fixed = append(fixed, "risk (detectors, GeoIP, networks)")
	}
	if !reflect.DeepEqual(old.SSF, cfg.SSF) || old.Admin != cfg.Admin {
		fixed = append(fixed, "ssf/admin")
	}
	// The built-in verifier is built once; a changed idv section would
	// otherwise be reported reloaded and silently not apply.
	if !reflect.DeepEqual(old.IDV, cfg.IDV) {
		fixed = append(fixed, "idv")
	}
	return fixed
}

// Handler is the gateway's public handler: Vigil's own routes, then apps.
func (s *Server) Handler() http.Handler {
	jwks := s.signer.JWKSHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ids.Stamp(w, r)
		if s.serveIDV(w, r, s.idvMount) {
			return
		}
		st := s.state.Load()
		p := r.URL.Path
		switch {
		case s.serveAssurance(w, r, p):
		case s.serveConsole(w, r, p):
		case strings.HasPrefix(p, "/.vigil/"):
			st.auth.ServeHTTP(w, r)
		case p == "/.well-known/vigil/jwks.json":
			jwks.ServeHTTP(w, r)
		case (p == "/healthz" || p == "/readyz") && s.isPublicHost(st, r.Host):
			s.health(w, r, st, p == "/readyz")
		default:
			st.gateway.ServeHTTP(w, r)
		}
	})
}

func (s *Server) isPublicHost(st *state, host string) bool {
	u, err := url.Parse(st.cfg.Server.PublicURL)
	if err != nil {
		return false
	}
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	return strings.EqualFold(h, u.Hostname())
}

// health answers liveness (the process serves) and readiness (the store
// answers and every provider's discovery succeeded).
func (s *Server) health(w http.ResponseWriter, r *http.Request, st *state, ready bool) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ready {
		io.WriteString(w, "ok\n")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var problems, degraded []string
	// Just after start the follower is still taking its first position;
	// give it a moment rather than report a replica that is fine.
	for i := 0; !s.follower.Ready() && i < 50 && ctx.Err() == nil; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	stale := s.staleFor(st.cfg.Store)(s.opts.Clock())
	switch {
	case !s.follower.Ready():
		problems = append(problems, "change feed: not caught up")
	case stale:
		problems = append(problems, "change feed: not read within store.max_stale; sessions are refused")
	}
	// A store that stops answering is not yet a reason to be taken out of
	// the load balancer: within store.max_stale this replica still serves
	// its cached sessions (only sign-ins fail), which is the point of the
	// bound. An outage takes every replica's store at once, and a probe
	// failing on all of them would turn the grace into a blackout.
	if err := s.db.Ping(ctx); err != nil {
		if stale || !s.follower.Ready() {
			problems = append(problems, "store: unavailable")
		} else {
			degraded = append(degraded, "store: unavailable (cached sessions are served until the change feed is older than store.max_stale; sign-ins fail)")
		}
	}
	// Name what is not ready but keep the errors (internal URLs, network
	// detail) for the log: this page is public.
	for _, p := range st.provs {
		if err := p.Probe(ctx); err != nil {
			problems = append(problems, "provider "+p.Name()+": discovery failing")
			s.log.Warn("provider not ready", "provider", p.Name(), "err", err)
		}
	}
	if len(problems) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "not ready\n"+strings.Join(problems, "\n")+"\n")
		return
	}
	io.WriteString(w, "ready\n")
	for _, d := range degraded {
		io.WriteString(w, "degraded: "+d+"\n")
	}
}

// MetricsHandler serves Prometheus metrics.
func (s *Server) MetricsHandler() http.Handler { return s.metrics.Handler() }

// Config returns the running configuration.
func (s *Server) Config() *config.Config { return s.state.Load().cfg }
