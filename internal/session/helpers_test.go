package session

import (
	"bytes"
	"context"
	"crypto/rand"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

var testSecret = bytes.Repeat([]byte("s"), 32)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// countingStore wraps a real store, counting calls and letting a test run
// code right after GetSession has read the store.
type countingStore struct {
	Store
	calls    atomic.Int64
	afterGet func()
}

var _ Store = (*countingStore)(nil)

func (c *countingStore) CreateSession(ctx context.Context, s *store.Session) error {
	c.calls.Add(1)
	return c.Store.CreateSession(ctx, s)
}

func (c *countingStore) GetSession(ctx context.Context, id string) (*store.Session, error) {
	c.calls.Add(1)
	s, err := c.Store.GetSession(ctx, id)
	if c.afterGet != nil {
		c.afterGet()
	}
	return s, err
}

func (c *countingStore) TouchSessions(ctx context.Context, seen map[string]time.Time) error {
	c.calls.Add(1)
	return c.Store.TouchSessions(ctx, seen)
}

func (c *countingStore) DeleteSession(ctx context.Context, id string) error {
	c.calls.Add(1)
	return c.Store.DeleteSession(ctx, id)
}

func (c *countingStore) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	c.calls.Add(1)
	return c.Store.DeleteUserSessions(ctx, userID)
}

func (c *countingStore) ListSessions(ctx context.Context, userID string) ([]store.Session, error) {
	c.calls.Add(1)
	return c.Store.ListSessions(ctx, userID)
}

func (c *countingStore) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	c.calls.Add(1)
	return c.Store.DeleteExpiredSessions(ctx, now)
}

func (c *countingStore) UpsertUser(ctx context.Context, u *store.User) error {
	c.calls.Add(1)
	return c.Store.UpsertUser(ctx, u)
}

// openDB opens a fresh SQLite store in a temp dir.
func openDB(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "vigil.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type env struct {
	m     *Manager
	db    *sqlite.DB
	st    *countingStore
	clock *clock
}

// newEnv builds a manager over a real SQLite store; tweak adjusts options.
func newEnv(t testing.TB, tweak func(*Options)) *env {
	t.Helper()
	e := &env{db: openDB(t), clock: newClock()}
	e.st = &countingStore{Store: e.db}
	e.m = e.manager(t, tweak)
	return e
}

// manager returns another manager (a second replica) on the same store.
func (e *env) manager(t testing.TB, tweak func(*Options)) *Manager {
	t.Helper()
	o := Options{
		Store:           e.st,
		Clock:           e.clock.Now,
		Rand:            rand.Reader,
		MasterSecret:    testSecret,
		AbsoluteTimeout: 8 * time.Hour,
		IdleTimeout:     time.Hour,
	}
	if tweak != nil {
		tweak(&o)
	}
	m, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ident(sub string) identity.Identity {
	return identity.Identity{Subject: sub, Provider: "corp", Issuer: "https://idp.example.com",
		Email: sub + "@example.com", Name: "User " + sub, Groups: []string{"eng"}, AMR: []string{"pwd"}}
}

func (e *env) create(t testing.TB, m *Manager, sub string) (string, *store.Session) {
	t.Helper()
	v, s, err := m.Create(context.Background(), ident(sub), Meta{IP: "192.0.2.1", UserAgent: "test", IDToken: "tok"})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return v, s
}

func (c *countingStore) UpdateSessionIdentity(ctx context.Context, id string, ident identity.Identity) error {
	c.calls.Add(1)
	return c.Store.UpdateSessionIdentity(ctx, id, ident)
}
