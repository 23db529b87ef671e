package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/changes"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/store"
)

// sharedConfig is where the running configuration comes from: the file
// alone, or, with store.shared_config, the latest shared version in the
// store merged with the file's per-replica sections (config.Shared). It
// applies every version the change feed announces, whichever replica
// stored it, and answers the admin API's /config (sharedconfig_admin.go).
//
// A version that does not apply here leaves the running configuration in
// place, logged, counted and shown by /config: a replica never serves a
// half-applied configuration, and never starts on an older one.
type sharedConfig struct {
	s       *Server
	enabled bool
	log     *slog.Logger
	kick    chan struct{} // a pending look at the latest version; one is enough

	// applyMu makes applies one at a time (the feed's worker, SIGHUP, a
	// push), so that versions are applied in order.
	applyMu sync.Mutex
	file    *config.Config // guarded by applyMu: the file, for its per-replica sections
	failed  *config.Config // guarded by applyMu: the file the last failure was with

	// statusMu guards what /config reports; an apply may take seconds
	// (provider discovery), a status read must not wait for it.
	statusMu sync.Mutex
	running  running
	failure  *admin.ConfigFailure

	version  prometheus.Gauge
	failures prometheus.Counter
}

// running is the configuration in use: from the file (doc nil) or a
// shared version.
type running struct {
	doc     *config.Shared
	version int64
	sha256  string
	since   time.Time
}

// applyRetry is the pause before reading the store again when reading the
// latest version failed: the announcement was consumed, so nothing else
// would bring the version in.
const applyRetry = 5 * time.Second

func newSharedConfig(s *Server, file *config.Config) *sharedConfig {
	sc := &sharedConfig{
		s: s, enabled: file.Store.SharedConfig, file: file, kick: make(chan struct{}, 1),
		log:     s.log.With(slog.String("part", "config")),
		running: running{since: s.opts.Clock()},
		version: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_config_version",
			Help: "Shared configuration version this replica runs; 0 when it runs its file alone.",
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_config_apply_failures_total",
			Help: "Shared configuration versions this replica failed to apply (it kept the running one).",
		}),
	}
	s.metrics.Registry.MustRegister(sc.version, sc.failures)
	return sc
}

// atStart returns the configuration to build the server from: the file,
// or the latest shared version merged with it. A shared version that
// does not apply, or a store that cannot say which is the latest, stops
// the start: serving the file's (older) policy instead would be silent.
func (sc *sharedConfig) atStart(ctx context.Context) (*config.Config, error) {
	if !sc.enabled {
		return sc.file, nil
	}
	latest, err := sc.s.db.LatestConfig(ctx)
	if errors.Is(err, store.ErrNotFound) {
		sc.log.Info("no shared configuration stored yet: running the file alone until one is pushed")
		return sc.file, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store.shared_config: reading the shared configuration: %w", err)
	}
	doc, cfg, err := sc.merge(latest, sc.file)
	if err != nil {
		return nil, fmt.Errorf("shared configuration version %d (pushed by %s) does not apply on this replica, "+
			"so it does not start rather than serve an older configuration; push a corrected version from another replica, "+
			"or fix this file's per-replica sections:\n%w", latest.Version, latest.Actor, err)
	}
	sc.setRunning(doc, latest)
	sc.log.Info("running shared configuration", "version", latest.Version, "sha256", latest.SHA256,
		"pushed_by", latest.Actor, "apps", len(cfg.Apps), "providers", len(cfg.Providers))
	return cfg, nil
}

// startError names the shared version when building the server from it
// failed after atStart (an identity provider's discovery, say).
func (sc *sharedConfig) startError(err error) error {
	if v := sc.status().version; v > 0 {
		return fmt.Errorf("shared configuration version %d: %w", v, err)
	}
	return err
}

// follow subscribes to the change feed. The subscriber only signals the
// worker (run): the follower must never wait on an apply.
func (sc *sharedConfig) follow(f *changes.Follower) {
	if !sc.enabled {
		return
	}
	f.Subscribe(func(c store.Change) {
		if c.Kind == store.ChangeConfig {
			sc.poke()
		}
	})
	// Announcements may have been purged unread: look at the latest.
	f.OnResync(func() error { sc.poke(); return nil })
}

// poke asks the worker to look at the latest version. Bursts coalesce:
// the worker reads the latest once, whatever the number of pushes.
func (sc *sharedConfig) poke() {
	select {
	case sc.kick <- struct{}{}:
	default:
	}
}

// run applies announced versions until ctx ends. It first waits for the
// follower to take its position in the feed and then looks once: a
// version stored between atStart and that position was announced before
// the follower listened.
func (sc *sharedConfig) run(ctx context.Context) {
	t := time.NewTicker(50 * time.Millisecond)
	for !sc.s.follower.Ready() {
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	t.Stop()
	sc.poke()
	var retry <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-sc.kick:
		case <-retry:
		}
		retry = nil
		if err := sc.applyLatest(ctx); err != nil && ctx.Err() == nil {
			sc.log.Warn("reading the latest shared configuration failed; trying again", "err", err, "retry_in", applyRetry)
			retry = time.After(applyRetry)
		}
	}
}

// applyLatest applies the latest stored version unless it runs already.
// Its error is only a failure to read the store; a version that does not
// apply is recorded (applyFailed) and keeps the running configuration.
func (sc *sharedConfig) applyLatest(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	sc.applyMu.Lock()
	defer sc.applyMu.Unlock()
	return sc.applyLatestLocked(ctx)
}

func (sc *sharedConfig) applyLatestLocked(ctx context.Context) error {
	latest, err := sc.s.db.LatestConfig(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if latest.Version == sc.status().version {
		return nil
	}
	if f := sc.lastFailure(); f != nil && f.Version == latest.Version && sc.failed == sc.file {
		return nil // it failed with this very file; SIGHUP or a new version may change that
	}
	doc, cfg, err := sc.merge(latest, sc.file)
	if err == nil {
		err = sc.s.reload(ctx, cfg)
	}
	if err != nil {
		sc.applyFailed(latest.Version, err)
		return nil
	}
	sc.setRunning(doc, latest)
	sc.log.Info("shared configuration applied", "version", latest.Version, "sha256", latest.SHA256,
		"pushed_by", latest.Actor, "apps", len(cfg.Apps), "providers", len(cfg.Providers))
	return nil
}

// merge parses a stored version and merges it with the file, checked as
// combine does: everything short of building the request state.
func (sc *sharedConfig) merge(v *store.ConfigVersion, file *config.Config) (*config.Shared, *config.Config, error) {
	doc, err := config.ParseShared(v.Document)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := combine(doc, file)
	if err != nil {
		return nil, nil, err
	}
	return doc, cfg, nil
}

// combine merges a shared document with the file and checks the result as
// `vigil serve` checks a file, reporting Validate's problems and the
// policies' compile errors together.
func combine(doc *config.Shared, file *config.Config) (*config.Config, error) {
	cfg, err := doc.Combine(file)
	if err != nil {
		return nil, err
	}
	verr := cfg.Validate()
	_, cerr := CompileApps(cfg)
	if err := errors.Join(verr, cerr); err != nil {
		return nil, err
	}
	return cfg, nil
}

func (sc *sharedConfig) applyFailed(version int64, err error) {
	ps := config.Problems(err)
	sc.failures.Inc()
	sc.failed = sc.file
	sc.statusMu.Lock()
	sc.failure = &admin.ConfigFailure{Version: version, At: sc.s.opts.Clock(), Problems: ps}
	sc.statusMu.Unlock()
	sc.log.Error("shared configuration version not applied; keeping the running configuration",
		"version", version, "running_version", sc.status().version, "problems", strings.Join(ps, "; "))
}

func (sc *sharedConfig) setRunning(doc *config.Shared, v *store.ConfigVersion) {
	sc.statusMu.Lock()
	sc.running = running{doc: doc, version: v.Version, sha256: v.SHA256, since: sc.s.opts.Clock()}
	if sc.failure != nil && sc.failure.Version <= v.Version {
		sc.failure = nil
	}
	sc.statusMu.Unlock()
	sc.version.Set(float64(v.Version))
}

func (sc *sharedConfig) status() running {
	sc.statusMu.Lock()
	defer sc.statusMu.Unlock()
	return sc.running
}

func (sc *sharedConfig) lastFailure() *admin.ConfigFailure {
	sc.statusMu.Lock()
	defer sc.statusMu.Unlock()
	return sc.failure
}

// reloadFile applies the configuration file read again (SIGHUP). With a
// shared version running, only the file's per-replica sections change;
// the shared ones stay those of the running version. Without one, the
// file applies whole.
func (sc *sharedConfig) reloadFile(ctx context.Context, file *config.Config) error {
	sc.applyMu.Lock()
	defer sc.applyMu.Unlock()
	next := file
	if run := sc.status(); run.doc != nil {
		merged, err := combine(run.doc, file)
		if err != nil {
			return fmt.Errorf("the file's per-replica sections with shared configuration version %d: %w", run.version, err)
		}
		next = merged
	}
	if err := sc.s.reload(ctx, next); err != nil {
		return err
	}
	sc.file = file
	if sc.enabled {
		sc.poke() // a version that failed with the previous file may apply now
	}
	return nil
}

// ConfigSource describes the running configuration for logs: "file", or
// "shared version N".
func (s *Server) ConfigSource() string {
	if v := s.cfgSrc.status().version; v > 0 {
		return fmt.Sprintf("shared version %d", v)
	}
	return "file"
}
