package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
)

// addUser stores a user so that sessions may reference it.
func addUser(t *testing.T, b Backend, id string) {
	t.Helper()
	u := &store.User{ID: id, Provider: "corp", Subject: "sub-" + id, FirstSeenAt: base, LastSeenAt: base}
	if err := b.UpsertUser(t.Context(), u); err != nil {
		t.Fatalf("UpsertUser(%q): %v", id, err)
	}
}

// newSession returns a session with every field set.
func newSession(id, userID string, created time.Time) *store.Session {
	return &store.Session{
		ID:       id,
		UserID:   userID,
		Provider: "corp",
		Identity: identity.Identity{
			Subject:       "sub-" + userID,
			Provider:      "corp",
			Issuer:        "https://idp.example.com",
			Email:         "ada@example.com",
			EmailVerified: true,
			Name:          "Ada Lovelace",
			Groups:        []string{"eng", "admins"},
			AMR:           []string{"pwd", "hwk"},
			ACR:           "urn:example:aal2",
			AuthTime:      created.Add(-time.Minute),
			// JSON-shaped values: numbers are float64, arrays []any.
			Claims: map[string]any{
				"sub":   "sub-" + userID,
				"level": float64(2),
				"roles": []any{"a", "b"},
				"addr":  map[string]any{"country": "NL"},
			},
		},
		CreatedAt:  created,
		LastSeenAt: created.Add(time.Second),
		ExpiresAt:  created.Add(12 * time.Hour),
		IP:         "192.0.2.7",
		UserAgent:  "Mozilla/5.0 (test)",
		IDToken:    "eyJhbGciOiJSUzI1NiJ9.e30.sig",
		SID:        "op-session-" + id,
	}
}

func create(t *testing.T, b Backend, s *store.Session) {
	t.Helper()
	if err := b.CreateSession(t.Context(), s); err != nil {
		t.Fatalf("CreateSession(%q): %v", s.ID, err)
	}
}

func get(t *testing.T, b Backend, id string) *store.Session {
	t.Helper()
	s, err := b.GetSession(t.Context(), id)
	if err != nil {
		t.Fatalf("GetSession(%q): %v", id, err)
	}
	return s
}

func wantNotFound(t *testing.T, b Backend, id string) {
	t.Helper()
	if s, err := b.GetSession(t.Context(), id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetSession(%q) = %v, %v; want ErrNotFound", id, s, err)
	}
}

func testSessionRoundTrip(t *testing.T, b Backend) {
	addUser(t, b, "u1")
	want := newSession("s1", "u1", base)
	create(t, b, want)
	mustEqual(t, "session", get(t, b, "s1"), want)
}

func testSessionTimesUTC(t *testing.T, b Backend) {
	addUser(t, b, "u1")
	zone := time.FixedZone("UTC+5", 5*3600)
	s := newSession("s1", "u1", base.In(zone))
	s.Identity.AuthTime = time.Time{} // zero stays zero
	create(t, b, s)
	got := get(t, b, "s1")
	for name, tm := range map[string]time.Time{"CreatedAt": got.CreatedAt, "LastSeenAt": got.LastSeenAt, "ExpiresAt": got.ExpiresAt} {
		if tm.Location() != time.UTC {
			t.Errorf("%s location = %v, want UTC", name, tm.Location())
		}
	}
	if !got.CreatedAt.Equal(base) || !got.ExpiresAt.Equal(base.Add(12*time.Hour)) {
		t.Errorf("times = %v, %v; want %v, %v", got.CreatedAt, got.ExpiresAt, base, base.Add(12*time.Hour))
	}
	if !got.Identity.AuthTime.IsZero() {
		t.Errorf("zero AuthTime came back as %v", got.Identity.AuthTime)
	}
}

func testSessionNotFound(t *testing.T, b Backend) {
	wantNotFound(t, b, "missing")
	if err := b.DeleteSession(t.Context(), "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteSession(missing) = %v; want ErrNotFound", err)
	}
}

func testSessionConflict(t *testing.T, b Backend) {
	addUser(t, b, "u1")
	first := newSession("s1", "u1", base)
	create(t, b, first)
	second := newSession("s1", "u1", base.Add(time.Hour))
	second.IP = "198.51.100.1"
	if err := b.CreateSession(t.Context(), second); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second CreateSession = %v; want ErrConflict", err)
	}
	mustEqual(t, "session after conflict", get(t, b, "s1"), first)
}

func testSessionUnknownUser(t *testing.T, b Backend) {
	err := b.CreateSession(t.Context(), newSession("s1", "nobody", base))
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CreateSession for unknown user = %v; want ErrNotFound", err)
	}
	wantNotFound(t, b, "s1")
}

func testSessionExpiredStillReturned(t *testing.T, b Backend) {
	addUser(t, b, "u1")
	s := newSession("s1", "u1", time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
	create(t, b, s)
	mustEqual(t, "expired session", get(t, b, "s1"), s)
}

func testSessionDelete(t *testing.T, b Backend) {
	addUser(t, b, "u1")
	create(t, b, newSession("s1", "u1", base))
	create(t, b, newSession("s2", "u1", base))
	if err := b.DeleteSession(t.Context(), "s1"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	wantNotFound(t, b, "s1")
	get(t, b, "s2")
	if err := b.DeleteSession(t.Context(), "s1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second DeleteSession = %v; want ErrNotFound", err)
	}
}

func testTouchSessions(t *testing.T, b Backend) {
	addUser(t, b, "u1")
	for _, id := range []string{"s1", "s2", "s3"} {
		create(t, b, newSession(id, "u1", base))
	}
	later := base.Add(90 * time.Minute)
	err := b.TouchSessions(t.Context(), map[string]time.Time{
		"s1":      later,
		"s2":      later.Add(time.Microsecond),
		"s3":      base.Add(-time.Hour), // older than stored: must not move back
		"missing": later,                // deleted meanwhile: skipped, not an error
	})
	if err != nil {
		t.Fatalf("TouchSessions: %v", err)
	}
	for id, want := range map[string]time.Time{"s1": later, "s2": later.Add(time.Microsecond), "s3": base.Add(time.Second)} {
		if got := get(t, b, id).LastSeenAt; !got.Equal(want) {
			t.Errorf("%s LastSeenAt = %v, want %v", id, got, want)
		}
	}
	wantNotFound(t, b, "missing")
	if err := b.TouchSessions(t.Context(), nil); err != nil {
		t.Fatalf("TouchSessions(nil): %v", err)
	}
}

func testDeleteUserSessions(t *testing.T, b Backend) {
	addUser(t, b, "u1")
	addUser(t, b, "u2")
	for i := range 3 {
		create(t, b, newSession(fmt.Sprintf("a%d", i), "u1", base))
	}
	create(t, b, newSession("b0", "u2", base))
	n, err := b.DeleteUserSessions(t.Context(), "u1")
	if err != nil || n != 3 {
		t.Fatalf("DeleteUserSessions(u1) = %d, %v; want 3, nil", n, err)
	}
	for i := range 3 {
		wantNotFound(t, b, fmt.Sprintf("a%d", i))
	}
	get(t, b, "b0")
	if n, err := b.DeleteUserSessions(t.Context(), "u1"); err != nil || n != 0 {
		t.Fatalf("second DeleteUserSessions(u1) = %d, %v; want 0, nil", n, err)
	}
}

func testListSessions(t *testing.T, b Backend) {
	addUser(t, b, "u1")
	addUser(t, b, "u2")
	create(t, b, newSession("old", "u1", base))
	create(t, b, newSession("new", "u1", base.Add(time.Microsecond)))
	create(t, b, newSession("other", "u2", base.Add(time.Hour)))
	ids := func(ss []store.Session) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	for _, tc := range []struct {
		user string
		want []string
	}{
		{"u1", []string{"new", "old"}},
		{"u2", []string{"other"}},
		{"", []string{"other", "new", "old"}},
		{"nobody", nil},
	} {
		got, err := b.ListSessions(t.Context(), tc.user)
		if err != nil {
			t.Fatalf("ListSessions(%q): %v", tc.user, err)
		}
		mustEqual(t, fmt.Sprintf("ListSessions(%q)", tc.user), ids(got), tc.want)
	}
	all, _ := b.ListSessions(t.Context(), "u1")
	mustEqual(t, "listed session", &all[1], newSession("old", "u1", base))
}

func testDeleteExpiredSessions(t *testing.T, b Backend) {
	addUser(t, b, "u1")
	now := base.Add(12 * time.Hour) // sessions created at base expire exactly now
	create(t, b, newSession("at-now", "u1", base))
	create(t, b, newSession("before", "u1", base.Add(-time.Second)))
	create(t, b, newSession("after", "u1", base.Add(time.Microsecond)))
	n, err := b.DeleteExpiredSessions(t.Context(), now)
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 2, nil", n, err)
	}
	wantNotFound(t, b, "at-now")
	wantNotFound(t, b, "before")
	get(t, b, "after")
}

func testUpdateSessionIdentity(t *testing.T, b Backend) {
	addUser(t, b, "u1")
	want := newSession("s1", "u1", base)
	create(t, b, want)
	zone := time.FixedZone("UTC-3", -3*3600)
	ident := want.Identity
	ident.Verification = &identity.Verification{
		Provider: "idv", Subject: "v-1", TrustFramework: "nist_800_63A", Level: "ial2",
		ACR: "urn:idv:ial2", AMR: []string{"face"}, Methods: []string{"vcrypt", "bvr"},
		VerifiedAt: base.Add(-time.Hour).In(zone), AuthTime: base.Add(-time.Minute).In(zone),
	}
	if err := b.UpdateSessionIdentity(t.Context(), "s1", ident); err != nil {
		t.Fatalf("UpdateSessionIdentity: %v", err)
	}
	want.Identity = ident
	v := *ident.Verification
	v.VerifiedAt, v.AuthTime = v.VerifiedAt.UTC(), v.AuthTime.UTC()
	want.Identity.Verification = &v
	mustEqual(t, "session", get(t, b, "s1"), want)
	if err := b.UpdateSessionIdentity(t.Context(), "nope", ident); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateSessionIdentity(unknown) = %v, want ErrNotFound", err)
	}
}

func testSessionsBySID(t *testing.T, b Backend) {
	addUser(t, b, "u1")
	addUser(t, b, "u2")
	a := newSession("s1", "u1", base)
	b2 := newSession("s2", "u2", base.Add(time.Second))
	b2.SID = a.SID // one provider session behind two of ours
	other := newSession("s3", "u1", base)
	other.Provider = "other"
	other.SID = a.SID // same sid from another provider: not theirs to end
	none := newSession("s4", "u1", base)
	none.SID = ""
	for _, s := range []*store.Session{a, b2, other, none} {
		create(t, b, s)
	}
	got, err := b.SessionsBySID(t.Context(), "corp", a.SID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "s2" || got[1].ID != "s1" {
		t.Fatalf("SessionsBySID = %v, want s2, s1", sessionIDs(got))
	}
	if got, err := b.SessionsBySID(t.Context(), "corp", "nope"); err != nil || len(got) != 0 {
		t.Fatalf("unknown sid: %v, %v", sessionIDs(got), err)
	}
	if _, err := b.SessionsBySID(t.Context(), "corp", ""); err == nil {
		t.Fatal("empty sid: no error")
	}
}

func sessionIDs(ss []store.Session) []string {
	out := make([]string, len(ss))
	for i := range ss {
		out[i] = ss[i].ID
	}
	return out
}
