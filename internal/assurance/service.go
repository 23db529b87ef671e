// Package assurance is continuous assurance at run time: it feeds what the
// gateway sees to the detectors, keeps every user's risk (the engine, in
// memory, loaded from and written to the store), answers the gateway's
// per-request questions from memory, carries out revocations by session,
// user, app or identity provider, and tells subscribed apps over Shared
// Signals. Other replicas learn of every change through the store's change
// feed (Apply).
package assurance

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-gw/vigil/internal/audit"
	"github.com/vigil-gw/vigil/internal/policy"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/risk/detect"
	"github.com/vigil-gw/vigil/internal/store"
)

// Store is what the service needs from the store.
type Store interface {
	AddRiskFactor(ctx context.Context, f *store.RiskFactor) error
	RiskFactors(ctx context.Context, userID string) ([]store.RiskFactor, error)
	ActiveRiskFactors(ctx context.Context, now time.Time) ([]store.RiskFactor, error)
	ClearRiskFactors(ctx context.Context, userID string, kinds []string, at time.Time, by string) (int, error)
	AppendChangeReason(ctx context.Context, kind, key, reason string, at time.Time) (int64, error)
	DeleteProviderSessions(ctx context.Context, provider string) (int, error)
	RevokeApp(ctx context.Context, app string, at time.Time) error
	AppRevocations(ctx context.Context) (map[string]time.Time, error)
	ListSessions(ctx context.Context, userID string) ([]store.Session, error)
	GetSession(ctx context.Context, id string) (*store.Session, error)
	SessionsBySID(ctx context.Context, provider, sid string) ([]store.Session, error)
	GetUser(ctx context.Context, id string) (*store.User, error)
	UsersByEmail(ctx context.Context, email string) ([]store.User, error)
	// For the admin API's views.
	ListUsers(ctx context.Context, q store.UserQuery) ([]store.User, error)
	GetPerson(ctx context.Context, subject string) (*store.Person, error)
	ListStreams(ctx context.Context, audience string) ([]store.Stream, error)
	CountStreamEvents(ctx context.Context, streamID string) (int, error)
	StreamSubjects(ctx context.Context, streamID string) ([]store.StreamSubject, error)
}

// Sessions is the session manager.
type Sessions interface {
	Revoke(ctx context.Context, sessionID string) error
	RevokeUser(ctx context.Context, userID string) (int, error)
	Apply(c store.Change)
	Note(userID, reason string)
}

// Emitter sends security events to subscribed apps (the SSF transmitter).
// Nil: none are sent.
type Emitter interface {
	SessionRevoked(ctx context.Context, s *store.Session, reason string)
	RiskLevelChanged(ctx context.Context, u *store.User, before, after risk.Level, reason string)
}

// Options configure a Service.
type Options struct {
	Store     Store
	Sessions  Sessions
	Engine    *risk.Engine
	Detector  *detect.Detector // nil: no detectors
	Emitter   Emitter
	Audit     *audit.Log
	Clock     func() time.Time
	Rand      io.Reader
	Logger    *slog.Logger
	QueueSize int // observations waiting for the detectors; default 8192
	// Known reports whether an app or provider name (scope "app" or
	// "provider") is configured; nil accepts any.
	Known      func(scope, name string) bool
	OnObserved func(dropped bool)
	// Policy returns an app's running policy, for the admin API's policy
	// test; nil: none is known.
	Policy func(app string) (*policy.Policy, bool)
	// Subscribers are the configured Shared Signals receivers, whose
	// streams the admin API lists.
	Subscribers []Subscriber
}

// Service is safe for concurrent use. Call Load, then Run.
type Service struct {
	o     Options
	clock func() time.Time
	log   *slog.Logger
	queue chan detect.Observation

	dropped  atomic.Uint64
	observed atomic.Uint64
	appRev   atomic.Pointer[map[string]time.Time]

	// devices holds what a browser reported about itself (time zone),
	// bounded; see Device.
	devMu   sync.Mutex
	devices map[string]string
}

// New returns a Service.
func New(o Options) (*Service, error) {
	if o.Store == nil || o.Sessions == nil || o.Engine == nil {
		return nil, errors.New("assurance: store, sessions and engine are required")
	}
	s := &Service{
		o:       o,
		clock:   o.Clock,
		log:     cmp.Or(o.Logger, slog.New(slog.DiscardHandler)),
		queue:   make(chan detect.Observation, cmp.Or(o.QueueSize, 8192)),
		devices: map[string]string{},
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.o.Rand == nil {
		s.o.Rand = rand.Reader
	}
	empty := map[string]time.Time{}
	s.appRev.Store(&empty)
	return s, nil
}

// Load reads every active risk factor and app revocation, so that the
// first request is judged like the last one before a restart.
func (s *Service) Load(ctx context.Context) error {
	fs, err := s.o.Store.ActiveRiskFactors(ctx, s.clock())
	if err != nil {
		return fmt.Errorf("assurance: load risk: %w", err)
	}
	s.o.Engine.Load(fs)
	return s.reloadApps(ctx)
}

func (s *Service) reloadApps(ctx context.Context) error {
	m, err := s.o.Store.AppRevocations(ctx)
	if err != nil {
		return fmt.Errorf("assurance: load app revocations: %w", err)
	}
	s.appRev.Store(&m)
	return nil
}

// Run feeds queued observations to the detectors until ctx ends, and
// prunes expired factors from memory now and then.
func (s *Service) Run(ctx context.Context) {
	prune := time.NewTicker(time.Minute)
	defer prune.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-prune.C:
			s.o.Engine.Prune(s.clock())
		case o := <-s.queue:
			s.detect(ctx, o)
		}
	}
}

// Drain handles every queued observation now (tests and shutdown).
func (s *Service) Drain(ctx context.Context) {
	for {
		select {
		case o := <-s.queue:
			s.detect(ctx, o)
		default:
			return
		}
	}
}

func (s *Service) detect(ctx context.Context, o detect.Observation) {
	if s.o.Detector == nil {
		return
	}
	if o.Device != "" && o.TimeZone == "" {
		o.TimeZone = s.deviceZone(o.Device)
	}
	for _, f := range s.o.Detector.Observe(o) {
		if err := s.AddFactor(ctx, f); err != nil {
			s.log.Warn("recording a risk factor failed", "user", f.UserID, "kind", f.Kind, "err", err)
		}
	}
}

// AddFactor records a factor (a detector's, an administrator's or a
// received event's): store first, so every replica sees it, then memory,
// the audit log and, when the level moved, the subscribed apps.
func (s *Service) AddFactor(ctx context.Context, f store.RiskFactor) error {
	if f.ID == "" {
		f.ID = s.newID()
	}
	if f.At.IsZero() {
		f.At = s.clock()
	}
	if err := s.o.Store.AddRiskFactor(ctx, &f); err != nil {
		return err
	}
	before, after := s.o.Engine.Add(f, s.clock())
	s.o.Audit.Write(&audit.Record{Time: f.At, Kind: "risk", User: f.UserID, Decision: "raise:" + after.Level.String(),
		Rule: f.Kind, Reasons: []string{fmt.Sprintf("%s (+%d)", f.Reason, f.Severity)}, Actor: f.Source})
	s.levelChanged(ctx, f.UserID, before, after, f.Reason)
	return nil
}

func (s *Service) levelChanged(ctx context.Context, userID string, before, after risk.Assessment, reason string) {
	if before.Level == after.Level {
		return
	}
	s.log.Info("risk level changed", "user", userID, "from", before.Level.String(), "to", after.Level.String(), "score", after.Score)
	if s.o.Emitter == nil {
		return
	}
	u, err := s.o.Store.GetUser(ctx, userID)
	if err != nil {
		// A factor may name someone who never signed in here: no app
		// knows them, so there is nobody to tell.
		return
	}
	s.o.Emitter.RiskLevelChanged(ctx, u, before.Level, after.Level, reason)
}

func (s *Service) newID() string {
	var b [12]byte
	if _, err := io.ReadFull(s.o.Rand, b[:]); err != nil {
		// The ID only needs to be unique; the clock makes it so when the
		// random source fails.
		return fmt.Sprintf("rf-%x", s.clock().UnixNano())
	}
	return "rf-" + hex.EncodeToString(b[:])
}

// Stats are the observation counters, for metrics.
func (s *Service) Stats() (observed, dropped uint64) { return s.observed.Load(), s.dropped.Load() }
