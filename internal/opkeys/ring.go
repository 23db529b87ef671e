package opkeys

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-gw/vigil/internal/oidcop"
	"github.com/vigil-gw/vigil/internal/store"
)

// Store keeps the OP signing keys, apart from any other key set. Records
// are written once and never updated: every lifetime is fixed when a key is
// made, so replicas agree without coordination.
type Store interface {
	// PutOPKey stores k; store.ErrConflict if its ID exists.
	PutOPKey(ctx context.Context, k *store.SigningKey) error
	// ListOPKeys returns every key, newest first.
	ListOPKeys(ctx context.Context) ([]store.SigningKey, error)
}

// Defaults for Config.
const (
	DefaultAlgorithm      = RS256
	DefaultRotation       = 30 * 24 * time.Hour
	DefaultPublishAhead   = 10 * time.Minute
	DefaultTokenLifetime  = time.Hour
	DefaultReloadInterval = time.Minute
	// expiryMargin keeps a retired key published this long after its last
	// token expired, for clock skew and relying parties' leeway.
	expiryMargin = 5 * time.Minute
)

// Config configures a Ring. Zero values take the defaults.
type Config struct {
	Store Store
	// Master is the configured master secret; the wrapping key is derived
	// from it.
	Master []byte
	// Algorithm of new keys: RS256 (RSA 2048) or ES256 (P-256). Keys of the
	// other algorithm already stored keep signing until a new one has been
	// published for PublishAhead.
	Algorithm string
	// Rotation is how long a key signs before the next takes over.
	Rotation time.Duration
	// PublishAhead is how long a new key is published before it signs. It
	// should exceed the JWKS cache lifetime of relying parties.
	PublishAhead time.Duration
	// TokenLifetime is the longest a token signed by a key stays valid (ID
	// token lifetime, at least): a retired key stays published that long,
	// plus a margin.
	TokenLifetime time.Duration
	// ReloadInterval is how often Run reloads keys from the store.
	ReloadInterval time.Duration
	// Now, Rand and Logger default to time.Now, crypto/rand and a discard
	// logger. Rand gives the wrapping nonces (key generation uses the
	// system source).
	Now    func() time.Time
	Rand   io.Reader
	Logger *slog.Logger
}

// Ring is an oidcop.KeySource backed by the store. It is safe for
// concurrent use.
type Ring struct {
	cfg   Config
	wrap  *wrapper
	state atomic.Pointer[snapshot]
	mu    sync.Mutex // serialises Refresh and Rotate
	inUse string     // kid last logged as in use; guarded by mu
}

var _ oidcop.KeySource = (*Ring)(nil)

// New loads the keys from the store, making one if none can sign, and
// returns a Ring. It fails if any unexpired stored key cannot be
// authenticated (wrong master secret or an altered record): starting with a
// key set the operator did not expect must be loud.
func New(ctx context.Context, cfg Config) (*Ring, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	w, err := newWrapper(cfg.Master, cfg.Rand)
	if err != nil {
		return nil, fmt.Errorf("opkeys: %w", err)
	}
	r := &Ring{cfg: cfg, wrap: w}
	if err := r.refresh(ctx, true); err != nil {
		return nil, fmt.Errorf("opkeys: %w", err)
	}
	return r, nil
}

// fill sets defaults and reports every problem at once.
func (c *Config) fill() error {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.Rotation, DefaultRotation)
	def(&c.PublishAhead, DefaultPublishAhead)
	def(&c.TokenLifetime, DefaultTokenLifetime)
	def(&c.ReloadInterval, DefaultReloadInterval)
	if c.Algorithm == "" {
		c.Algorithm = DefaultAlgorithm
	}
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("a key store is required"))
	}
	if c.Algorithm != RS256 && c.Algorithm != ES256 {
		errs = append(errs, fmt.Errorf("algorithm %q: want RS256 or ES256", c.Algorithm))
	}
	if c.Rotation < 0 || c.PublishAhead < 0 || c.TokenLifetime < 0 || c.ReloadInterval < 0 {
		errs = append(errs, errors.New("durations must not be negative"))
	} else if c.Rotation <= c.PublishAhead+c.ReloadInterval {
		errs = append(errs, fmt.Errorf("rotation (%s) must exceed publish-ahead plus reload interval (%s)",
			c.Rotation, c.PublishAhead+c.ReloadInterval))
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
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("opkeys: %w", err)
	}
	return nil
}

// errNoKey: every key has retired and none could be made (the store has
// been unreachable for longer than PublishAhead). Signing with a retired
// key would make tokens that outlive its publication, so fail closed.
var errNoKey = errors.New("opkeys: no signing key (is the store reachable?)")

// Current returns the key that signs new tokens.
func (r *Ring) Current(context.Context) (*oidcop.SigningKey, error) {
	k := r.state.Load().current(r.cfg.Now(), r.cfg.Algorithm, r.cfg.PublishAhead)
	if k == nil {
		return nil, errNoKey
	}
	return k.sk, nil
}

// Published returns every key relying parties should accept, newest first:
// keys published ahead of use, the current one, and retired keys until the
// tokens they signed have expired.
func (r *Ring) Published(context.Context) ([]*oidcop.SigningKey, error) {
	return r.state.Load().published(r.cfg.Now()), nil
}

// Run reloads keys from the store every ReloadInterval, adopting keys other
// replicas made, and rotates when due, until ctx ends. Errors are logged and
// the previous key set kept.
func (r *Ring) Run(ctx context.Context) {
	t := time.NewTicker(r.cfg.ReloadInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.Refresh(ctx); err != nil {
				r.cfg.Logger.ErrorContext(ctx, "OP signing key refresh failed", "err", err)
			}
		}
	}
}

// Refresh reloads keys from the store and makes the next key when no key
// will still sign PublishAhead (plus one reload) from now. Records that
// cannot be authenticated are left out, neither published nor used, and
// reported.
func (r *Ring) Refresh(ctx context.Context) error { return r.refresh(ctx, false) }

// Rotate makes a new key now: published at once, signing after
// PublishAhead. The previous key is not withdrawn (records are immutable);
// it stays published until its own expiry, so Rotate is no revocation.
func (r *Ring) Rotate(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Now()
	if err := r.addKey(ctx, now); err != nil {
		return err
	}
	st, errs := r.load(ctx, now)
	if st != nil {
		r.install(st)
	}
	return errors.Join(errs...)
}

func (r *Ring) refresh(ctx context.Context, strict bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Now()
	st, errs := r.load(ctx, now)
	if st == nil || (strict && len(errs) > 0) {
		return errors.Join(errs...)
	}
	if !st.signsAfter(now.Add(r.cfg.PublishAhead+r.cfg.ReloadInterval), r.cfg.Algorithm) {
		if err := r.addKey(ctx, now); err != nil {
			if r.state.Load() == nil { // New: nothing to fall back on
				return errors.Join(append(errs, err)...)
			}
			errs = append(errs, err)
		} else {
			var lerrs []error
			if st, lerrs = r.load(ctx, now); st == nil {
				return errors.Join(append(errs, lerrs...)...)
			}
		}
	}
	r.install(st)
	return errors.Join(errs...)
}

// addKey makes a key and stores it. Its lifetimes count PublishAhead even
// when it signs at once (a fresh install), so every key lives as long.
func (r *Ring) addKey(ctx context.Context, now time.Time) error {
	priv, err := generate(r.cfg.Algorithm, r.cfg.Rand)
	if err != nil {
		return err
	}
	retire := now.Add(r.cfg.PublishAhead + r.cfg.Rotation)
	rec, err := r.wrap.seal(priv, now, retire, retire.Add(r.cfg.TokenLifetime+expiryMargin))
	if err != nil {
		return err
	}
	if err := r.cfg.Store.PutOPKey(ctx, rec); err != nil {
		return fmt.Errorf("storing OP signing key: %w", err)
	}
	r.cfg.Logger.InfoContext(ctx, "OP signing key created", "kid", rec.ID, "alg", rec.Algorithm, "retire_at", rec.RetireAt)
	return nil
}

func generate(alg string, random io.Reader) (crypto.Signer, error) {
	var (
		k   crypto.Signer
		err error
	)
	if alg == ES256 {
		k, err = ecdsa.GenerateKey(elliptic.P256(), random)
	} else {
		k, err = rsa.GenerateKey(random, 2048)
	}
	if err != nil {
		return nil, fmt.Errorf("generating OP signing key: %w", err)
	}
	return k, nil
}

// load lists and opens the keys. A nil snapshot means the store failed.
func (r *Ring) load(ctx context.Context, now time.Time) (*snapshot, []error) {
	recs, err := r.cfg.Store.ListOPKeys(ctx)
	if err != nil {
		return nil, []error{fmt.Errorf("listing OP signing keys: %w", err)}
	}
	return buildSnapshot(r.wrap, recs, now)
}

// install swaps the key set in and logs a change of signing key (a
// scheduled switch is logged at the first install after it).
func (r *Ring) install(st *snapshot) {
	r.state.Store(st)
	if cur := st.current(r.cfg.Now(), r.cfg.Algorithm, r.cfg.PublishAhead); cur != nil && cur.sk.ID() != r.inUse {
		r.inUse = cur.sk.ID()
		r.cfg.Logger.Info("OP signing key in use", "kid", cur.sk.ID(), "alg", cur.sk.Algorithm())
	}
}
