package session

import (
	"errors"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// TestRevokedWithReason: a note before a revocation makes the refused
// session say why, whether the revocation is made here or arrives from the
// change feed; without a note, or once the note is stale, it says nothing.
func TestRevokedWithReason(t *testing.T) {
	ada := UserID("corp", "ada")
	for _, tc := range []struct {
		name   string
		revoke func(a *applyEnv)
		want   string // "" for a plain refusal
	}{
		{"feed: note then user-revoked", func(a *applyEnv) {
			a.m.Apply(store.Change{Seq: 1, Kind: store.ChangeRevokeNote, Key: ada, Reason: "laptop reported stolen"})
			a.m.Apply(store.Change{Seq: 2, Kind: store.ChangeUserRevoked, Key: ada})
		}, "laptop reported stolen"},
		{"local: note then RevokeUser", func(a *applyEnv) {
			a.m.Note(ada, "account under review")
			if _, err := a.m.RevokeUser(t.Context(), ada); err != nil {
				t.Fatal(err)
			}
		}, "account under review"},
		{"local RevokeUser after the feed got there first", func(a *applyEnv) {
			// The replica that revokes also follows the feed: its own
			// change may be applied before its local eviction runs, which
			// then finds the note consumed and the session uncached.
			a.m.Note(ada, "account under review")
			a.m.Apply(store.Change{Seq: 1, Kind: store.ChangeRevokeNote, Key: ada, Reason: "account under review"})
			a.m.Apply(store.Change{Seq: 2, Kind: store.ChangeUserRevoked, Key: ada})
			if _, err := a.m.RevokeUser(t.Context(), ada); err != nil {
				t.Fatal(err)
			}
		}, "account under review"},
		{"no note", func(a *applyEnv) {
			a.m.Apply(store.Change{Seq: 1, Kind: store.ChangeUserRevoked, Key: ada})
		}, ""},
		{"stale note", func(a *applyEnv) {
			a.m.Note(ada, "old news")
			a.clock.Advance(noteTTL + time.Second)
			a.m.Apply(store.Change{Seq: 2, Kind: store.ChangeUserRevoked, Key: ada})
		}, ""},
		{"another user's note", func(a *applyEnv) {
			a.m.Note(UserID("corp", "bob"), "not ada")
			a.m.Apply(store.Change{Seq: 2, Kind: store.ChangeUserRevoked, Key: ada})
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newApplyEnv(t)
			tc.revoke(a)
			_, err := a.m.Lookup(t.Context(), a.values["ada1"])
			if !errors.Is(err, ErrNoSession) {
				t.Fatalf("Lookup after revocation: %v, want ErrNoSession", err)
			}
			var r *Revoked
			got := ""
			if errors.As(err, &r) {
				got = r.Reason
			}
			if got != tc.want {
				t.Fatalf("reason %q, want %q", got, tc.want)
			}
			if _, err := a.m.Lookup(t.Context(), a.values["bob"]); err != nil {
				t.Fatalf("bob: %v", err)
			}
		})
	}
}

// TestNoteIsConsumed: a revocation uses its note once; the next one, for
// another cause, does not repeat it.
func TestNoteIsConsumed(t *testing.T) {
	a := newApplyEnv(t)
	ada := UserID("corp", "ada")
	a.m.Note(ada, "laptop reported stolen")
	if err := a.m.Revoke(t.Context(), a.ids["ada1"]); err != nil {
		t.Fatal(err)
	}
	var r *Revoked
	if _, err := a.m.Lookup(t.Context(), a.values["ada1"]); !errors.As(err, &r) || r.Reason != "laptop reported stolen" {
		t.Fatalf("first revocation: %v", err)
	}
	if err := a.m.Revoke(t.Context(), a.ids["ada2"]); err != nil {
		t.Fatal(err)
	}
	if _, err := a.m.Lookup(t.Context(), a.values["ada2"]); errors.As(err, &r) {
		t.Fatalf("second revocation repeated the first's reason: %v", err)
	}
}

// TestNoteConsumedByItsRevocation: the user-revoked change a note announced
// consumes it even where none of the user's sessions were cached (the
// revoking replica evicted them before its own change came back), so a
// later sign-out does not repeat it.
func TestNoteConsumedByItsRevocation(t *testing.T) {
	a := newApplyEnv(t)
	ada := UserID("corp", "ada")
	a.m.Note(ada, "account under review")
	if _, err := a.m.RevokeUser(t.Context(), ada); err != nil {
		t.Fatal(err)
	}
	a.m.Apply(store.Change{Seq: 1, Kind: store.ChangeRevokeNote, Key: ada, Reason: "account under review"})
	a.m.Apply(store.Change{Seq: 2, Kind: store.ChangeUserRevoked, Key: ada})
	value, _, err := a.m.Create(t.Context(), ident("ada"), Meta{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := a.m.Lookup(t.Context(), value)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.m.Revoke(t.Context(), s.ID); err != nil {
		t.Fatal(err)
	}
	var r *Revoked
	if _, err := a.m.Lookup(t.Context(), value); errors.As(err, &r) {
		t.Fatalf("a later sign-out repeated the old reason: %v", err)
	}
}

// TestLateRevocationSparesNewerSessions: a user-revoked change that
// reaches this replica after the user signed in again (elsewhere, or here)
// ends only the sessions that began before it.
func TestLateRevocationSparesNewerSessions(t *testing.T) {
	a := newApplyEnv(t)
	ada := UserID("corp", "ada")
	revokedAt := a.clock.Now()
	a.clock.Advance(time.Second)
	value, _, err := a.m.Create(t.Context(), ident("ada"), Meta{})
	if err != nil {
		t.Fatal(err)
	}
	a.m.Apply(store.Change{Seq: 1, Kind: store.ChangeUserRevoked, Key: ada, At: revokedAt})
	if _, err := a.m.Lookup(t.Context(), a.values["ada1"]); !errors.Is(err, ErrNoSession) {
		t.Errorf("the older session: %v, want refused", err)
	}
	if _, err := a.m.Lookup(t.Context(), value); err != nil {
		t.Errorf("the session made after the revocation: %v, want served", err)
	}
}
