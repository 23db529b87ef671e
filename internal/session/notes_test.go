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
