package session

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
)

func TestUpdateIdentity(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	value, s := e.create(t, e.m, "ada")
	var hooked []string
	e.m.OnRevoke(func(id string) { hooked = append(hooked, id) })
	id := s.Identity
	id.Verification = &identity.Verification{Provider: "idv", Subject: "v1", TrustFramework: "nist_800_63A",
		Level: "ial2", VerifiedAt: e.clock.Now().Add(-time.Hour)}
	updated, err := e.m.UpdateIdentity(ctx, s.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if updated.ID != s.ID || updated.UserID != s.UserID || updated.Identity.Verification != id.Verification {
		t.Fatalf("UpdateIdentity returned %+v, want the session with the new identity", updated)
	}
	if len(hooked) != 1 || hooked[0] != s.ID {
		t.Fatalf("hooks ran for %v, want [%s]", hooked, s.ID)
	}
	// The cache serves the new identity without a store call.
	before := e.st.calls.Load()
	got, err := e.m.Lookup(ctx, value)
	if err != nil {
		t.Fatal(err)
	}
	if got.Identity.Verification == nil || got.Identity.Verification.Level != "ial2" {
		t.Fatalf("cached identity has no verification: %+v", got.Identity)
	}
	if n := e.st.calls.Load() - before; n != 0 {
		t.Fatalf("%d store calls on a warm lookup after the update", n)
	}
	// Another replica reads it from the store.
	other, err := e.manager(t, nil).Lookup(ctx, value)
	if err != nil {
		t.Fatal(err)
	}
	if v := other.Identity.Verification; v == nil || v.Provider != "idv" || !v.VerifiedAt.Equal(id.Verification.VerifiedAt) {
		t.Fatalf("stored identity: %+v", other.Identity.Verification)
	}

	cases := []struct {
		name string
		sid  string
		edit func(*identity.Identity)
		want error
	}{
		{"unknown session", "nope", func(*identity.Identity) {}, ErrNoSession},
		{"other subject", s.ID, func(i *identity.Identity) { i.Subject = "mallory" }, nil},
		{"other provider", s.ID, func(i *identity.Identity) { i.Provider = "other" }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := id
			tc.edit(&bad)
			got, err := e.m.UpdateIdentity(ctx, tc.sid, bad)
			if got != nil || err == nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want failure (%v)", err, tc.want)
			}
		})
	}
	if got, _ := e.m.Lookup(ctx, value); got.Identity.Subject != "ada" {
		t.Fatal("a refused update changed the session")
	}
	if err := e.m.Revoke(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.UpdateIdentity(ctx, s.ID, id); !errors.Is(err, ErrNoSession) {
		t.Fatalf("update of a revoked session: %v, want ErrNoSession", err)
	}
}
