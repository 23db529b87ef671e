package assertion

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// KeyStore keeps signing keys. Records are written once and never updated:
// every lifetime is fixed when a key is made, so replicas sharing a database
// agree without coordination.
type KeyStore interface {
	PutSigningKey(ctx context.Context, k *store.SigningKey) error
	ListSigningKeys(ctx context.Context) ([]store.SigningKey, error)
}

// Defaults for Config.
const (
	DefaultTTL            = 5 * time.Minute
	DefaultKeyRotation    = 24 * time.Hour
	DefaultPublishAhead   = 10 * time.Minute
	DefaultReloadInterval = time.Minute
	DefaultCacheSize      = 10000
	// expiryMargin keeps a retired key published this long after its last
	// assertion expired, for clock skew and verifier leeway.
	expiryMargin = 5 * time.Minute
)

// Config configures a Signer. Zero durations take the defaults.
type Config struct {
	// Issuer is the gateway's public URL, the iss of every assertion.
	Issuer string
	// TTL is each assertion's lifetime.
	TTL time.Duration
	// KeyRotation is how long a key signs before the next one takes over.
	KeyRotation time.Duration
	// PublishAhead is how long a new key is published before it signs. It
	// should exceed the JWKS max-age plus ReloadInterval, so verifiers and
	// other replicas know the key before they meet it.
	PublishAhead time.Duration
	// ReloadInterval is how often Run reloads keys from the store.
	ReloadInterval time.Duration
	// CacheSize bounds the number of cached assertions.
	CacheSize int
	// MasterSecret is the configured session.secret; the key wrapping key
	// is derived from it.
	MasterSecret []byte
	Store        KeyStore
	// Now, Rand and Logger default to time.Now, crypto/rand and a discard
	// logger. Rand is used for jti values and wrapping nonces.
	Now    func() time.Time
	Rand   io.Reader
	Logger *slog.Logger
}

// Signer mints assertions and publishes its keys. It is safe for
// concurrent use.
type Signer struct {
	cfg   Config
	wrap  *keyWrapper
	state atomic.Pointer[keyState]
	cache *tokenCache
	mu    sync.Mutex // serialises Refresh and Rotate
}

// New loads the keys from the store, making one if none can sign, and
// returns a Signer. It fails if any stored key cannot be authenticated
// (wrong master secret or a tampered record): starting with a key set the
// operator did not expect must be loud.
func New(ctx context.Context, cfg Config) (*Signer, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	w, err := newKeyWrapper(cfg.MasterSecret, cfg.Rand)
	if err != nil {
		return nil, err
	}
	s := &Signer{cfg: cfg, wrap: w, cache: newTokenCache(cfg.CacheSize)}
	if err := s.refresh(ctx, true); err != nil {
		return nil, err
	}
	return s, nil
}

func (c *Config) fill() error {
	u, err := url.Parse(c.Issuer)
	if c.Issuer == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("assertion issuer must be an absolute http(s) URL, got %q", c.Issuer)
	}
	if c.Store == nil {
		return errors.New("assertion signer needs a key store")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.TTL, DefaultTTL)
	def(&c.KeyRotation, DefaultKeyRotation)
	def(&c.PublishAhead, DefaultPublishAhead)
	def(&c.ReloadInterval, DefaultReloadInterval)
	if c.TTL < 0 || c.KeyRotation < 0 || c.PublishAhead < 0 || c.ReloadInterval < 0 {
		return errors.New("assertion durations must not be negative")
	}
	if c.KeyRotation < c.TTL {
		return fmt.Errorf("assertion key rotation (%s) must not be shorter than the TTL (%s)", c.KeyRotation, c.TTL)
	}
	if c.CacheSize <= 0 {
		c.CacheSize = DefaultCacheSize
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Run reloads keys from the store every ReloadInterval, adopting keys other
// replicas made, and rotates when due, until ctx ends. Errors are logged and
// the previous key set kept.
func (s *Signer) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.ReloadInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Refresh(ctx); err != nil {
				s.cfg.Logger.ErrorContext(ctx, "assertion key refresh failed", "err", err)
			}
		}
	}
}

// Refresh reloads keys from the store and makes the next key when the
// newest one is within PublishAhead of retiring. Records that cannot be
// authenticated are left out (neither published nor used) and reported.
func (s *Signer) Refresh(ctx context.Context) error { return s.refresh(ctx, false) }

// Rotate makes a new key now. It is published at once and signs after
// PublishAhead (at once if no other key can sign).
func (s *Signer) Rotate(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.addKey(ctx, s.cfg.Now()); err != nil {
		return err
	}
	st, err := s.load(ctx, s.cfg.Now())
	if st != nil {
		s.install(st)
	}
	return err
}

func (s *Signer) refresh(ctx context.Context, strict bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	st, err := s.load(ctx, now)
	if st == nil || (strict && err != nil) {
		return err
	}
	if s.rotationDue(st, now) {
		if aerr := s.addKey(ctx, now); aerr != nil {
			return errors.Join(err, aerr)
		}
		var lerr error
		st, lerr = s.load(ctx, now)
		if st == nil {
			return errors.Join(err, lerr)
		}
	}
	s.install(st)
	return err
}

// rotationDue: no key will still be signing PublishAhead from now.
func (s *Signer) rotationDue(st *keyState, now time.Time) bool {
	horizon := now.Add(s.cfg.PublishAhead)
	for _, k := range st.keys {
		if k.retire.After(horizon) {
			return false
		}
	}
	return true
}

// addKey makes a key and stores it. The first key may sign at once; its
// lifetimes still count PublishAhead so every key lives the same length.
func (s *Signer) addKey(ctx context.Context, now time.Time) error {
	priv, err := generateKey(s.cfg.Rand)
	if err != nil {
		return err
	}
	retire := now.Add(s.cfg.PublishAhead + s.cfg.KeyRotation)
	rec, err := s.wrap.seal(priv, now, retire, retire.Add(s.cfg.TTL+expiryMargin))
	if err != nil {
		return err
	}
	if err := s.cfg.Store.PutSigningKey(ctx, rec); err != nil {
		return fmt.Errorf("storing signing key: %w", err)
	}
	s.cfg.Logger.InfoContext(ctx, "assertion signing key created", "kid", rec.ID, "retire_at", rec.RetireAt)
	return nil
}

func (s *Signer) load(ctx context.Context, now time.Time) (*keyState, error) {
	recs, err := s.cfg.Store.ListSigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing signing keys: %w", err)
	}
	return buildState(s.wrap, recs, now, s.cfg.PublishAhead)
}

// install swaps the key set in. Cached assertions signed by a key that no
// longer signs are never served again (see Mint), so nothing to purge here.
func (s *Signer) install(st *keyState) {
	old := s.state.Swap(st)
	if st.current != nil && (old == nil || old.current == nil || old.current.id != st.current.id) {
		s.cfg.Logger.Info("assertion signing key in use", "kid", st.current.id)
	}
}
