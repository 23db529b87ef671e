package opkeys

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/vigil-gw/vigil/internal/oidcop"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

var (
	master      = bytes.Repeat([]byte("m"), 32)
	otherMaster = bytes.Repeat([]byte("o"), 32)
	t0          = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)         { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// dbPath returns a fresh database file; openDB opens it as one replica.
func dbPath(t testing.TB) string { return filepath.Join(t.TempDir(), "vigil.db") }

func openDB(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// flaky is the real store with a switch that makes it fail, as an
// unreachable database would.
type flaky struct {
	Store
	down atomic.Bool
}

var errDown = errors.New("database unreachable")

func (f *flaky) PutOPKey(ctx context.Context, k *store.SigningKey) error {
	if f.down.Load() {
		return errDown
	}
	return f.Store.PutOPKey(ctx, k)
}

func (f *flaky) ListOPKeys(ctx context.Context) ([]store.SigningKey, error) {
	if f.down.Load() {
		return nil, errDown
	}
	return f.Store.ListOPKeys(ctx)
}

func newRing(t testing.TB, s Store, c *clock, tweak ...func(*Config)) *Ring {
	t.Helper()
	cfg := Config{Store: s, Master: master, Algorithm: ES256, Now: c.Now}
	for _, f := range tweak {
		f(&cfg)
	}
	r, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

func current(t testing.TB, r *Ring) *oidcop.SigningKey {
	t.Helper()
	k, err := r.Current(t.Context())
	if err != nil {
		t.Fatalf("Current: %v", err)
	}
	return k
}

func publishedIDs(t testing.TB, r *Ring) []string {
	t.Helper()
	ks, err := r.Published(t.Context())
	if err != nil {
		t.Fatalf("Published: %v", err)
	}
	var ids []string
	for _, k := range ks {
		ids = append(ids, k.ID())
	}
	return ids
}

// sign makes a compact JWS with the ring's current key, as the OP signs an
// ID token (kid in the header).
func sign(t testing.TB, r *Ring) string {
	t.Helper()
	k := current(t, r)
	priv := r.state.Load().private(k.ID())
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.Algorithm()),
		Key: jose.JSONWebKey{Key: priv, KeyID: k.ID()}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(sig).Claims(jwt.Claims{Subject: "user-1"}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// verifies reports whether tok verifies against the ring's published keys,
// looked up by kid as a relying party does with a JWKS.
func verifies(t testing.TB, r *Ring, tok string) bool {
	t.Helper()
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	kid := parsed.Headers[0].KeyID
	st := r.state.Load()
	for _, id := range publishedIDs(t, r) {
		if id != kid {
			continue
		}
		var c jwt.Claims
		return parsed.Claims(st.public(id), &c) == nil && c.Subject == "user-1"
	}
	return false
}

func (s *snapshot) find(id string) *key {
	for _, k := range s.keys {
		if k.sk.ID() == id {
			return k
		}
	}
	return nil
}

func (s *snapshot) private(id string) any { return s.find(id).priv }
func (s *snapshot) public(id string) any  { return s.find(id).priv.Public() }

func decodeHeader(compact string, v any) error {
	head, _, ok := strings.Cut(compact, ".")
	if !ok {
		return errors.New("not a compact JWS")
	}
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
