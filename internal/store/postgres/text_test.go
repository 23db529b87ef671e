package postgres_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/postgres"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// textBackend is what these tests ask of both backends.
type textBackend interface {
	UpsertUser(ctx context.Context, u *store.User) error
	GetUser(ctx context.Context, id string) (*store.User, error)
	UsersByEmail(ctx context.Context, email string) ([]store.User, error)
	CreateSession(ctx context.Context, s *store.Session) error
	GetSession(ctx context.Context, id string) (*store.Session, error)
	ListSessions(ctx context.Context, userID string) ([]store.Session, error)
	CreateVerification(ctx context.Context, v *store.Verification) error
	FindApprovedVerification(ctx context.Context, claimedEmail string) (*store.Verification, error)
}

// bothBackends returns a fresh SQLite store and a fresh PostgreSQL store.
func bothBackends(t *testing.T) map[string]textBackend {
	t.Helper()
	lite, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "vigil.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	pg, _ := openFresh(t, postgres.Options{})
	return map[string]textBackend{"sqlite": lite, "postgres": pg}
}

// TestSameTextSemantics pins down, against SQLite, what a database locale
// could change: only ASCII letters fold in email matches, and ties sort
// byte-wise.
func TestSameTextSemantics(t *testing.T) {
	parallel(t)
	for name, b := range bothBackends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			at := time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)
			for _, u := range []store.User{
				{ID: "corp:upper", Email: "Élodie@Example.com", FirstSeenAt: at},
				{ID: "corp:lower", Email: "élodie@example.com", FirstSeenAt: at.Add(time.Second)},
			} {
				if err := b.UpsertUser(ctx, &u); err != nil {
					t.Fatal(err)
				}
			}
			got, err := b.UsersByEmail(ctx, "ÉLODIE@EXAMPLE.COM")
			if err != nil || len(got) != 1 || got[0].ID != "corp:upper" {
				t.Fatalf("UsersByEmail folded a non-ASCII letter: %+v, %v", got, err)
			}
			if err := b.CreateVerification(ctx, &store.Verification{ID: "v1", Status: store.VerificationApproved,
				ClaimedEmail: "élodie@example.com", ExpiresAt: at}); err != nil {
				t.Fatal(err)
			}
			if v, err := b.FindApprovedVerification(ctx, "Élodie@example.com"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("FindApprovedVerification folded a non-ASCII letter: %+v, %v", v, err)
			}
			for _, id := range []string{"a", "_x", "B", "é", "Z"} {
				s := &store.Session{ID: id, UserID: "corp:upper", CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
				if err := b.CreateSession(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			ss, err := b.ListSessions(ctx, "corp:upper")
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, s := range ss {
				ids = append(ids, s.ID)
			}
			if want := []string{"B", "Z", "_x", "a", "é"}; !reflect.DeepEqual(ids, want) {
				t.Fatalf("sessions sorted %v, want byte order %v", ids, want)
			}
		})
	}
}

// TestUnstorableText: PostgreSQL text holds neither NUL nor invalid UTF-8.
// Looking such a key up finds nothing, as in SQLite (it was never stored);
// writing it fails with an error; a claim with a NUL inside the identity
// document round-trips.
func TestUnstorableText(t *testing.T) {
	parallel(t)
	db, _ := openFresh(t, postgres.Options{})
	ctx := t.Context()
	at := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	for _, key := range []string{"a\x00b", "\xff", "\xc3"} {
		lookups := map[string]error{}
		_, lookups["GetSession"] = db.GetSession(ctx, key)
		_, lookups["GetUser"] = db.GetUser(ctx, key)
		_, lookups["GetVerification"] = db.GetVerification(ctx, key)
		_, lookups["GetVerificationByAuthRequest"] = db.GetVerificationByAuthRequest(ctx, key)
		_, lookups["FindApprovedVerification"] = db.FindApprovedVerification(ctx, key)
		_, lookups["GetEvidence"] = db.GetEvidence(ctx, key)
		_, lookups["GetPerson"] = db.GetPerson(ctx, key)
		_, lookups["GetStream"] = db.GetStream(ctx, key)
		lookups["SetUserVerification"] = db.SetUserVerification(ctx, key, nil)
		for name, err := range lookups {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s(%q) = %v, want ErrNotFound", name, key, err)
			}
		}
		lists := map[string]func() (int, error){
			"UsersByEmail":  func() (int, error) { r, err := db.UsersByEmail(ctx, key); return len(r), err },
			"SessionsBySID": func() (int, error) { r, err := db.SessionsBySID(ctx, "corp", key); return len(r), err },
			"ListSessions":  func() (int, error) { r, err := db.ListSessions(ctx, key); return len(r), err },
			"RiskFactors":   func() (int, error) { r, err := db.RiskFactors(ctx, key); return len(r), err },
			"ListEvidence":  func() (int, error) { r, err := db.ListEvidence(ctx, key); return len(r), err },
			"StreamSubjects": func() (int, error) {
				r, err := db.StreamSubjects(ctx, key)
				return len(r), err
			},
			"CountVerifications": func() (int, error) { return db.CountVerifications(ctx, key, "approved", at) },
		}
		for name, list := range lists {
			if n, err := list(); n != 0 || err != nil {
				t.Errorf("%s(%q) = %d, %v; want nothing, no error", name, key, n, err)
			}
		}
		if err := db.UpsertUser(ctx, &store.User{ID: "u-" + key, Name: key}); err == nil {
			t.Errorf("UpsertUser with %q was accepted", key)
		}
		if _, err := db.MarkUsed(ctx, key, at); err == nil {
			t.Errorf("MarkUsed(%q) was accepted", key)
		}
	}
	if err := db.UpsertUser(ctx, &store.User{ID: "u1"}); err != nil {
		t.Fatal(err)
	}
	s := &store.Session{ID: "s1", UserID: "u1", CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
	s.Identity.Name = "Ada\x00Lovelace"
	s.Identity.Claims = map[string]any{"nick": "\x00"}
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatalf("CreateSession with a NUL in a claim: %v", err)
	}
	got, err := db.GetSession(ctx, "s1")
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Fatalf("session with a NUL in a claim = %+v, %v; want %+v", got, err, s)
	}
}

// FuzzLookupKey: any key either finds what was stored under it or
// nothing; it never makes a lookup fail, and a name stored is read back
// unchanged or refused.
func FuzzLookupKey(f *testing.F) {
	for _, s := range []string{"", "s1", "a\x00b", "\xff", "é", "Élodie@Example.com", "' OR 1=1 --", "\\x00"} {
		f.Add(s)
	}
	db, _ := openFresh(f, postgres.Options{})
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, key string) {
		if _, err := db.GetSession(ctx, key); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetSession(%q) = %v, want ErrNotFound", key, err)
		}
		if key != "" {
			if _, err := db.UsersByEmail(ctx, key); err != nil {
				t.Fatalf("UsersByEmail(%q): %v", key, err)
			}
		}
		u := &store.User{ID: "fuzz", Provider: "corp", Name: key, Email: key}
		if err := db.UpsertUser(ctx, u); err != nil {
			return // refused: PostgreSQL cannot hold it
		}
		got, err := db.GetUser(ctx, "fuzz")
		if err != nil || got.Name != key || got.Email != key {
			t.Fatalf("user stored with name %q came back as %+v, %v", key, got, err)
		}
	})
}
