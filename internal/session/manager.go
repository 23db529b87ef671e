// Package session creates, finds and ends gateway sessions. A browser holds
// an AEAD-encrypted cookie carrying a random token; the store holds the
// session under SHA-256 of that token, so a leaked database yields no usable
// cookie. Lookups are served from an in-memory cache with no store call;
// last-seen times are written behind in batches.
//
// It must never log cookie values, tokens or ID tokens, never return a
// session past its absolute or idle timeout, and never report a store
// failure as "no session" (the gateway fails closed on the former and sends
// the user to log in on the latter).
package session

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/keys"
	"github.com/vigil-gw/vigil/internal/store"
)

// ErrNoSession means the request has no usable session: no cookie, a
// malformed or forged one, or a session that is unknown, revoked or
// expired. The remedy is to log in. Any other error from Lookup is a
// failure of the store and must fail closed.
var ErrNoSession = errors.New("session: no valid session")

var (
	errExpired = fmt.Errorf("%w: absolute timeout", ErrNoSession)
	errIdle    = fmt.Errorf("%w: idle timeout", ErrNoSession)
	errUnknown = fmt.Errorf("%w: unknown session", ErrNoSession)
	errCookie  = fmt.Errorf("%w: %w", ErrNoSession, errMalformed)
)

// Store is what the session manager needs from a store backend.
type Store interface {
	CreateSession(ctx context.Context, s *store.Session) error
	GetSession(ctx context.Context, id string) (*store.Session, error)
	TouchSessions(ctx context.Context, seen map[string]time.Time) error
	DeleteSession(ctx context.Context, id string) error
	UpdateSessionIdentity(ctx context.Context, id string, ident identity.Identity) error
	DeleteUserSessions(ctx context.Context, userID string) (int, error)
	ListSessions(ctx context.Context, userID string) ([]store.Session, error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
	UpsertUser(ctx context.Context, u *store.User) error
}

// Defaults for zero Options fields.
const (
	DefaultAbsoluteTimeout = 12 * time.Hour
	DefaultIdleTimeout     = time.Hour
	DefaultCacheSize       = 100_000
	DefaultFlushInterval   = 30 * time.Second
	DefaultPurgeInterval   = 10 * time.Minute
	DefaultCookieName      = "vigil_session"
	// DefaultNegativeCacheSize and DefaultNegativeTTL bound the memory of
	// sessions known gone (see negative.go) and how long an entry whose
	// session expiry is unknown is trusted without asking the store.
	DefaultNegativeCacheSize = 50_000
	DefaultNegativeTTL       = 15 * time.Minute
)

// maxUserAgent bounds the client-chosen User-Agent kept with a session.
const maxUserAgent = 512

// Options configure a Manager. Store and MasterSecret are required.
type Options struct {
	Store        Store
	Clock        func() time.Time // default time.Now
	Rand         io.Reader        // default crypto/rand.Reader
	MasterSecret []byte           // the configured session secret; the cookie key is derived from it

	AbsoluteTimeout time.Duration // default 12h
	IdleTimeout     time.Duration // default 1h
	CacheSize       int           // sessions kept in memory; default 100,000
	FlushInterval   time.Duration // last-seen write-behind period; default 30s
	PurgeInterval   time.Duration // deletion of expired sessions by Run; default 10m

	NegativeCacheSize int           // sessions known gone kept in memory; default 50,000
	NegativeTTL       time.Duration // how long an unknown or expired session stays refused without a store query; default 15m

	CookieName   string // default "vigil_session"
	CookieDomain string // empty: host-only cookie

	Logger *slog.Logger // default discards
}

// Meta is what the login handler knows about the client.
type Meta struct {
	IP        string
	UserAgent string
	IDToken   string // raw ID token, kept for RP-initiated logout
	SID       string // the provider's session ID, for back-channel logout
}

// Manager creates and looks up sessions. It is safe for concurrent use.
type Manager struct {
	store      Store
	clock      func() time.Time
	rand       io.Reader
	codec      *codec
	absolute   time.Duration
	idle       time.Duration
	cacheSize  int
	flushEvery time.Duration
	purgeEvery time.Duration
	cookieName string
	domain     string
	log        *slog.Logger

	mu    sync.RWMutex
	cache map[string]*entry
	// gen counts evictions for revocation; a cache fill started before one
	// is not kept, so a revoked session cannot be re-cached by a racing miss.
	gen atomic.Uint64
	// neg holds sessions known gone (revoked, expired, unknown), guarded
	// by mu like cache; see negative.go.
	neg     map[string]gone
	negSize int
	negTTL  time.Duration

	pendMu  sync.Mutex
	pending map[string]time.Time // last-seen times not yet in the store

	hookMu sync.RWMutex
	hooks  []func(sessionID string)

	noteMu sync.Mutex
	notes  map[string]note // user ID -> why their sessions are being revoked

	claims atomic.Pointer[keptClaims] // see claims.go; nil keeps every claim

	closeOnce sync.Once
	closed    chan struct{}
}

// entry is a cached session. sess is shared and read-only; lastSeen is the
// live last-use time (UnixNano), dirty says it is newer than the store's.
type entry struct {
	sess     *store.Session
	lastSeen atomic.Int64
	dirty    atomic.Bool
}

// New returns a Manager. Call Run to write last-seen times behind, and
// Close on shutdown to flush them.
func New(o Options) (*Manager, error) {
	if o.Store == nil {
		return nil, errors.New("session: no store")
	}
	key, err := keys.Derive(o.MasterSecret, keys.PurposeSessionCookie)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	c, err := newCodec(key)
	if err != nil {
		return nil, err
	}
	if o.AbsoluteTimeout < 0 || o.IdleTimeout < 0 || o.FlushInterval < 0 || o.PurgeInterval < 0 || o.CacheSize < 0 ||
		o.NegativeCacheSize < 0 || o.NegativeTTL < 0 {
		return nil, errors.New("session: timeouts, intervals and cache sizes must not be negative")
	}
	clock := o.Clock
	if clock == nil {
		clock = time.Now
	}
	m := &Manager{
		store:      o.Store,
		clock:      clock,
		rand:       cmp.Or[io.Reader](o.Rand, rand.Reader),
		codec:      c,
		absolute:   cmp.Or(o.AbsoluteTimeout, DefaultAbsoluteTimeout),
		idle:       cmp.Or(o.IdleTimeout, DefaultIdleTimeout),
		cacheSize:  cmp.Or(o.CacheSize, DefaultCacheSize),
		flushEvery: cmp.Or(o.FlushInterval, DefaultFlushInterval),
		purgeEvery: cmp.Or(o.PurgeInterval, DefaultPurgeInterval),
		cookieName: cmp.Or(o.CookieName, DefaultCookieName),
		domain:     o.CookieDomain,
		log:        cmp.Or(o.Logger, slog.New(slog.DiscardHandler)),
		cache:      make(map[string]*entry),
		neg:        make(map[string]gone),
		negSize:    cmp.Or(o.NegativeCacheSize, DefaultNegativeCacheSize),
		negTTL:     cmp.Or(o.NegativeTTL, DefaultNegativeTTL),
		pending:    make(map[string]time.Time),
		closed:     make(chan struct{}),
	}
	return m, nil
}

// UserID is the stable store.User ID for a provider's subject:
// provider + ":" + base64url(SHA-256(subject)). Hashing bounds its length
// and keeps subjects (sometimes e-mail addresses) out of IDs that reach
// logs; the hash part has no ':', so the ID splits unambiguously.
func UserID(provider, subject string) string {
	sum := sha256.Sum256([]byte(subject))
	return provider + ":" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// Create starts a session for id, records the user, and returns the cookie
// value to set. If id has no verification and the user record has one (made
// in an earlier session), the session starts with that one. id must not be
// modified afterwards: the session shares it.
func (m *Manager) Create(ctx context.Context, id identity.Identity, meta Meta) (string, *store.Session, error) {
	if id.Provider == "" || id.Subject == "" {
		return "", nil, errors.New("session: identity needs a provider and a subject")
	}
	tok, err := newToken(m.rand)
	if err != nil {
		return "", nil, err
	}
	value, err := m.codec.encode(tok, m.rand)
	if err != nil {
		return "", nil, err
	}
	// Microseconds: what every store backend keeps, so cached and reloaded
	// sessions agree.
	now := m.clock().UTC().Truncate(time.Microsecond)
	userID := UserID(id.Provider, id.Subject)
	u := &store.User{ID: userID, Provider: id.Provider, Subject: id.Subject, Email: id.Email, Name: id.Name,
		FirstSeenAt: now, LastSeenAt: now}
	if err := m.store.UpsertUser(ctx, u); err != nil {
		return "", nil, fmt.Errorf("session: record user: %w", err)
	}
	// A verification the user made in an earlier session carries over, so
	// that signing in again does not mean verifying again. Policy still
	// judges its age (verified_within). id is our copy: setting it here
	// changes nothing the caller holds.
	if id.Verification == nil && u.Verification != nil {
		id.Verification = u.Verification
	}
	s := &store.Session{
		ID:         tok.id(),
		UserID:     userID,
		Provider:   id.Provider,
		Identity:   id,
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(m.absolute),
		IP:         meta.IP,
		UserAgent:  truncate(meta.UserAgent, maxUserAgent),
		IDToken:    meta.IDToken,
		SID:        meta.SID,
	}
	if err := m.store.CreateSession(ctx, s); err != nil {
		return "", nil, fmt.Errorf("session: create: %w", err)
	}
	m.clearNegative(s.ID) // only a bug could collide, but never shadow a new session
	m.insert(s, now, m.gen.Load())
	return value, s, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
