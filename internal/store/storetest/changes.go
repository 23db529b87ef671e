package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
)

// ChangesBackend is the change feed (store.Change) with the session and app
// revocations that append to it, plus what the suite needs to set them up.
//
// Contract, beyond store.Change's:
//   - Seq starts above 0 and increases by one per change (no gaps, so that
//     a follower can tell a purge it missed), and is never reused after a
//     purge; LastChange is the highest Seq ever handed out, purged or not.
//   - Changes refuses a negative afterSeq and a limit below 1;
//     AppendChange refuses an empty kind or key and the zero time.
//   - DeleteSession, DeleteUserSessions and DeleteProviderSessions append
//     their change in the same transaction, even when nothing was deleted;
//     DeleteSession still returns ErrNotFound then.
//   - RevokeApp keeps the later of two times for an app and appends an
//     app-revoked change at the given time; AppRevocations is nil when empty.
type ChangesBackend interface {
	AppendChange(ctx context.Context, kind, key string, at time.Time) (int64, error)
	AppendChangeReason(ctx context.Context, kind, key, reason string, at time.Time) (int64, error)
	Changes(ctx context.Context, afterSeq int64, limit int) ([]store.Change, error)
	LastChange(ctx context.Context) (int64, error)
	PurgeChanges(ctx context.Context, before time.Time) (int, error)

	DeleteProviderSessions(ctx context.Context, provider string) (int, error)
	RevokeApp(ctx context.Context, app string, at time.Time) error
	AppRevocations(ctx context.Context) (map[string]time.Time, error)

	UpsertUser(ctx context.Context, u *store.User) error
	CreateSession(ctx context.Context, s *store.Session) error
	GetSession(ctx context.Context, id string) (*store.Session, error)
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, userID string) (int, error)
	UpdateSessionIdentity(ctx context.Context, id string, ident identity.Identity) error
}

// RunChanges runs the change feed conformance tests. open must return a
// new, empty store for each call and arrange its cleanup with t.Cleanup.
func RunChanges(t *testing.T, open func(t *testing.T) ChangesBackend) {
	tests := []struct {
		name string
		run  func(t *testing.T, b ChangesBackend)
	}{
		{"Order", testChangesOrder},
		{"AfterAndLimit", testChangesAfterAndLimit},
		{"BadInput", testChangesBadInput},
		{"PurgeKeepsSeq", testChangesPurgeKeepsSeq},
		{"SessionDeletionsAppend", testChangesSessionDeletions},
		{"SessionUpdateAppends", testChangesSessionUpdate},
		{"Reason", testChangesReason},
		{"ProviderRevocation", testChangesProviderRevocation},
		{"AppRevocation", testChangesAppRevocation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

func feedAppend(t *testing.T, b ChangesBackend, kind, key string, at time.Time) int64 {
	t.Helper()
	seq, err := b.AppendChange(t.Context(), kind, key, at)
	if err != nil {
		t.Fatalf("AppendChange(%q, %q): %v", kind, key, err)
	}
	return seq
}

func feedAfter(t *testing.T, b ChangesBackend, after int64, limit int) []store.Change {
	t.Helper()
	cs, err := b.Changes(t.Context(), after, limit)
	if err != nil {
		t.Fatalf("Changes(%d, %d): %v", after, limit, err)
	}
	return cs
}

func feedLast(t *testing.T, b ChangesBackend) int64 {
	t.Helper()
	seq, err := b.LastChange(t.Context())
	if err != nil {
		t.Fatalf("LastChange: %v", err)
	}
	return seq
}

// kindKeys reduces changes to "kind key" strings, the part a test controls.
func feedKindKeys(cs []store.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Kind+" "+c.Key)
	}
	return out
}

func testChangesOrder(t *testing.T, b ChangesBackend) {
	if seq := feedLast(t, b); seq != 0 {
		t.Fatalf("LastChange on an empty store = %d, want 0", seq)
	}
	if cs := feedAfter(t, b, 0, 10); cs != nil {
		t.Fatalf("Changes on an empty store = %v, want nil", cs)
	}
	local := base.In(time.FixedZone("X", 3600))
	want := []store.Change{
		{Kind: store.ChangeSessionRevoked, Key: "s1", At: base},
		{Kind: store.ChangeUserRevoked, Key: "u1", At: base.Add(time.Microsecond)},
		{Kind: store.ChangeRisk, Key: "u1", At: local.Add(-time.Hour)}, // out of time order: Seq decides
	}
	for i := range want {
		want[i].Seq = feedAppend(t, b, want[i].Kind, want[i].Key, want[i].At)
		want[i].At = want[i].At.UTC()
		if want[i].Seq <= 0 || (i > 0 && want[i].Seq != want[i-1].Seq+1) {
			t.Fatalf("seqs %d: want positive, consecutive", want[i].Seq)
		}
	}
	mustEqual(t, "changes", feedAfter(t, b, 0, 10), want)
	if seq := feedLast(t, b); seq != want[2].Seq {
		t.Fatalf("LastChange = %d, want %d", seq, want[2].Seq)
	}
}

func testChangesAfterAndLimit(t *testing.T, b ChangesBackend) {
	var seqs []int64
	for i := range 5 {
		seqs = append(seqs, feedAppend(t, b, store.ChangeSessionRevoked, fmt.Sprintf("s%d", i), base))
	}
	mustEqual(t, "after first, limit 2", feedKindKeys(feedAfter(t, b, seqs[0], 2)),
		[]string{"session-revoked s1", "session-revoked s2"})
	mustEqual(t, "after third", feedKindKeys(feedAfter(t, b, seqs[2], 100)),
		[]string{"session-revoked s3", "session-revoked s4"})
	if cs := feedAfter(t, b, seqs[4], 100); cs != nil {
		t.Fatalf("Changes after the last = %v, want nil", cs)
	}
	if cs := feedAfter(t, b, seqs[4]+1000, 100); cs != nil {
		t.Fatalf("Changes after a future seq = %v, want nil", cs)
	}
}

func testChangesBadInput(t *testing.T, b ChangesBackend) {
	ctx := t.Context()
	for _, tc := range []struct {
		name      string
		kind, key string
		at        time.Time
	}{
		{"empty kind", "", "k", base},
		{"empty key", store.ChangeRisk, "", base},
		{"zero time", store.ChangeRisk, "k", time.Time{}},
	} {
		if _, err := b.AppendChange(ctx, tc.kind, tc.key, tc.at); err == nil {
			t.Errorf("AppendChange with %s succeeded", tc.name)
		}
	}
	if _, err := b.Changes(ctx, -1, 10); err == nil {
		t.Error("Changes(-1, 10) succeeded")
	}
	for _, limit := range []int{0, -1} {
		if _, err := b.Changes(ctx, 0, limit); err == nil {
			t.Errorf("Changes(0, %d) succeeded", limit)
		}
	}
	if seq := feedLast(t, b); seq != 0 {
		t.Fatalf("refused appends left LastChange at %d", seq)
	}
	if _, err := b.DeleteProviderSessions(ctx, ""); err == nil {
		t.Error("DeleteProviderSessions(\"\") succeeded")
	}
	if err := b.RevokeApp(ctx, "", base); err == nil {
		t.Error("RevokeApp(\"\") succeeded")
	}
	if err := b.RevokeApp(ctx, "wiki", time.Time{}); err == nil {
		t.Error("RevokeApp with the zero time succeeded")
	}
}

func testChangesPurgeKeepsSeq(t *testing.T, b ChangesBackend) {
	feedAppend(t, b, store.ChangeRisk, "old1", base)
	feedAppend(t, b, store.ChangeRisk, "old2", base.Add(time.Minute-time.Microsecond))
	keep := feedAppend(t, b, store.ChangeRisk, "new", base.Add(time.Minute))
	n, err := b.PurgeChanges(t.Context(), base.Add(time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("PurgeChanges = %d, %v; want 2, nil", n, err)
	}
	mustEqual(t, "after purge", feedKindKeys(feedAfter(t, b, 0, 10)), []string{"risk new"})
	// Emptying the feed must not move the counter back.
	if n, err := b.PurgeChanges(t.Context(), base.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("second PurgeChanges = %d, %v; want 1, nil", n, err)
	}
	if seq := feedLast(t, b); seq != keep {
		t.Fatalf("LastChange after purging everything = %d, want %d", seq, keep)
	}
	next := feedAppend(t, b, store.ChangeRisk, "next", base)
	if next != keep+1 {
		t.Fatalf("seq after purge = %d, want %d (never reused)", next, keep+1)
	}
	cs := feedAfter(t, b, 0, 10)
	if len(cs) != 1 || cs[0].Seq != next {
		t.Fatalf("Changes after purge = %+v, want only seq %d", cs, next)
	}
}

func testChangesSessionDeletions(t *testing.T, b ChangesBackend) {
	feedAddUser(t, b, "u1")
	feedCreate(t, b, newSession("s1", "u1", base))
	feedCreate(t, b, newSession("s2", "u1", base))
	start := feedLast(t, b)
	if err := b.DeleteSession(t.Context(), "s1"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	// Already gone: still announced, still ErrNotFound.
	if err := b.DeleteSession(t.Context(), "s1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second DeleteSession = %v, want ErrNotFound", err)
	}
	if n, err := b.DeleteUserSessions(t.Context(), "u1"); err != nil || n != 1 {
		t.Fatalf("DeleteUserSessions = %d, %v; want 1, nil", n, err)
	}
	if n, err := b.DeleteUserSessions(t.Context(), "u1"); err != nil || n != 0 {
		t.Fatalf("second DeleteUserSessions = %d, %v; want 0, nil", n, err)
	}
	cs := feedAfter(t, b, start, 10)
	mustEqual(t, "changes", feedKindKeys(cs), []string{"session-revoked s1", "session-revoked s1",
		"user-revoked u1", "user-revoked u1"})
	for _, c := range cs {
		if c.At.IsZero() || c.At.Location() != time.UTC {
			t.Fatalf("change %+v: At must be set, in UTC", c)
		}
	}
}

func testChangesSessionUpdate(t *testing.T, b ChangesBackend) {
	feedAddUser(t, b, "u1")
	s := newSession("s1", "u1", base)
	feedCreate(t, b, s)
	start := feedLast(t, b)
	id := s.Identity
	id.Verification = &identity.Verification{Provider: "idv", Subject: "p-1", Level: "ial2", VerifiedAt: base}
	if err := b.UpdateSessionIdentity(t.Context(), "s1", id); err != nil {
		t.Fatalf("UpdateSessionIdentity: %v", err)
	}
	// A session that is not there changes nothing and announces nothing.
	if err := b.UpdateSessionIdentity(t.Context(), "nope", id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateSessionIdentity(unknown) = %v, want ErrNotFound", err)
	}
	mustEqual(t, "changes", feedKindKeys(feedAfter(t, b, start, 10)), []string{"session-updated s1"})
}

func testChangesProviderRevocation(t *testing.T, b ChangesBackend) {
	feedAddUser(t, b, "u1")
	a, other := newSession("a", "u1", base), newSession("b", "u1", base)
	other.Provider = "partner"
	feedCreate(t, b, a)
	feedCreate(t, b, other)
	start := feedLast(t, b)
	if n, err := b.DeleteProviderSessions(t.Context(), "corp"); err != nil || n != 1 {
		t.Fatalf("DeleteProviderSessions(corp) = %d, %v; want 1, nil", n, err)
	}
	if _, err := b.GetSession(t.Context(), "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("corp session survived: %v", err)
	}
	if _, err := b.GetSession(t.Context(), "b"); err != nil {
		t.Fatalf("partner session lost: %v", err)
	}
	if n, err := b.DeleteProviderSessions(t.Context(), "corp"); err != nil || n != 0 {
		t.Fatalf("second DeleteProviderSessions = %d, %v; want 0, nil", n, err)
	}
	mustEqual(t, "changes", feedKindKeys(feedAfter(t, b, start, 10)),
		[]string{"provider-revoked corp", "provider-revoked corp"})
}

func testChangesAppRevocation(t *testing.T, b ChangesBackend) {
	ctx := t.Context()
	if m, err := b.AppRevocations(ctx); err != nil || m != nil {
		t.Fatalf("AppRevocations on an empty store = %v, %v; want nil", m, err)
	}
	later := base.Add(time.Hour)
	for _, step := range []struct {
		app string
		at  time.Time
	}{{"wiki", later}, {"wiki", base}, {"hr", base.In(time.FixedZone("X", -7200))}} {
		if err := b.RevokeApp(ctx, step.app, step.at); err != nil {
			t.Fatalf("RevokeApp(%s, %v): %v", step.app, step.at, err)
		}
	}
	got, err := b.AppRevocations(ctx)
	if err != nil {
		t.Fatalf("AppRevocations: %v", err)
	}
	// An earlier time never replaces a later one.
	mustEqual(t, "revocations", got, map[string]time.Time{"wiki": later, "hr": base})
	cs := feedAfter(t, b, 0, 10)
	mustEqual(t, "changes", feedKindKeys(cs), []string{"app-revoked wiki", "app-revoked wiki", "app-revoked hr"})
	if !cs[0].At.Equal(later) || !cs[1].At.Equal(base) {
		t.Fatalf("app-revoked changes carry %v, %v; want the revocation times", cs[0].At, cs[1].At)
	}
}

func feedAddUser(t *testing.T, b ChangesBackend, id string) {
	t.Helper()
	u := &store.User{ID: id, Provider: "corp", Subject: "sub-" + id, FirstSeenAt: base, LastSeenAt: base}
	if err := b.UpsertUser(t.Context(), u); err != nil {
		t.Fatalf("UpsertUser(%q): %v", id, err)
	}
}

func feedCreate(t *testing.T, b ChangesBackend, s *store.Session) {
	t.Helper()
	if err := b.CreateSession(t.Context(), s); err != nil {
		t.Fatalf("CreateSession(%q): %v", s.ID, err)
	}
}

func testChangesReason(t *testing.T, b ChangesBackend) {
	start := feedLast(t, b)
	if _, err := b.AppendChangeReason(t.Context(), store.ChangeRevokeNote, "u1", "laptop reported stolen", base); err != nil {
		t.Fatal(err)
	}
	feedAppend(t, b, store.ChangeUserRevoked, "u1", base)
	cs := feedAfter(t, b, start, 10)
	if len(cs) != 2 || cs[0].Reason != "laptop reported stolen" || cs[1].Reason != "" {
		t.Fatalf("changes %+v: want the note's reason and none on the plain change", cs)
	}
	if _, err := b.AppendChangeReason(t.Context(), store.ChangeRevokeNote, "u1", strings.Repeat("x", 501), base); err == nil {
		t.Fatal("a 501-byte reason was accepted")
	}
}
