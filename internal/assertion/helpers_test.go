package assertion

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
)

// memKeyStore is an in-memory KeyStore for tests.
type memKeyStore struct {
	mu      sync.Mutex
	keys    []store.SigningKey
	listErr error
}

var _ KeyStore = (*memKeyStore)(nil)

func (m *memKeyStore) PutSigningKey(_ context.Context, k *store.SigningKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range m.keys {
		if o.ID == k.ID {
			return store.ErrConflict
		}
	}
	c := *k
	c.PrivateKey = slices.Clone(k.PrivateKey)
	c.PublicKey = slices.Clone(k.PublicKey)
	m.keys = append(m.keys, c)
	return nil
}

func (m *memKeyStore) ListSigningKeys(context.Context) ([]store.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.listErr != nil {
		return nil, m.listErr
	}
	out := make([]store.SigningKey, len(m.keys))
	for i, k := range m.keys {
		out[i] = k
		out[i].PrivateKey = slices.Clone(k.PrivateKey)
		out[i].PublicKey = slices.Clone(k.PublicKey)
	}
	return out, nil
}

func (m *memKeyStore) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var (
	testMaster  = []byte("0123456789abcdef0123456789abcdef")
	otherMaster = []byte("fedcba9876543210fedcba9876543210")
	testStart   = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

func testConfig(st KeyStore, clk *fakeClock) Config {
	return Config{
		Issuer:       "https://gw.example.com",
		MasterSecret: testMaster,
		Store:        st,
		Now:          clk.Now,
		Rand:         rand.Reader,
	}
}

func newTestSigner(t testing.TB, st KeyStore, clk *fakeClock, edit ...func(*Config)) *Signer {
	t.Helper()
	cfg := testConfig(st, clk)
	for _, e := range edit {
		e(&cfg)
	}
	s, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func testSession(now time.Time) *store.Session {
	return &store.Session{
		ID:       "sess-1",
		UserID:   "user-42",
		Provider: "okta",
		Identity: identity.Identity{
			Subject: "00u1", Provider: "okta", Email: "ada@example.com", Name: "Ada Lovelace",
			Groups: []string{"eng", "admins"}, AMR: []string{"pwd", "otp"}, ACR: "urn:vigil:aal2",
			AuthTime: now.Add(-10 * time.Minute),
		},
		CreatedAt: now.Add(-10 * time.Minute),
		ExpiresAt: now.Add(12 * time.Hour),
	}
}

func currentKID(s *Signer) string {
	if k := s.state.Load().current; k != nil {
		return k.id
	}
	return ""
}

func publishedKIDs(s *Signer) []string {
	var ids []string
	for _, k := range s.state.Load().keys {
		ids = append(ids, k.id)
	}
	return ids
}

var errList = errors.New("list failed")
