package session

import (
	"reflect"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
)

// TestCreateCarriesUserVerification: a verification recorded on the user in
// an earlier session is where a new session of that user starts, unless the
// sign-in brought its own; other users start unverified.
func TestCreateCarriesUserVerification(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	_, first := e.create(t, e.m, "ada")
	if first.Identity.Verification != nil {
		t.Fatalf("first session starts verified: %+v", first.Identity.Verification)
	}
	stored := &identity.Verification{Provider: "idv", Subject: "v1", TrustFramework: "nist_800_63A", Level: "ial2",
		Methods: []string{"vcrypt"}, VerifiedAt: e.clock.Now().Add(-time.Hour), AuthTime: e.clock.Now().Add(-time.Hour)}
	if err := e.db.SetUserVerification(ctx, first.UserID, stored); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(24 * time.Hour) // the next day's sign-in

	own := &identity.Verification{Provider: "idv", Subject: "v1", Level: "ial3", VerifiedAt: e.clock.Now()}
	for _, tc := range []struct {
		name string
		sub  string
		with *identity.Verification // what the sign-in brings
		want *identity.Verification
	}{
		{"stored verification carried", "ada", nil, stored},
		{"sign-in's own kept", "ada", own, own},
		{"unverified user", "bob", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := ident(tc.sub)
			id.Verification = tc.with
			value, s, err := e.m.Create(ctx, id, Meta{IP: "192.0.2.1"})
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if !reflect.DeepEqual(s.Identity.Verification, tc.want) {
				t.Fatalf("session verification = %+v, want %+v", s.Identity.Verification, tc.want)
			}
			// The store holds the same: another replica sees it.
			loaded, err := e.manager(t, nil).Lookup(ctx, value)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(loaded.Identity.Verification, tc.want) {
				t.Fatalf("stored session verification = %+v, want %+v", loaded.Identity.Verification, tc.want)
			}
		})
	}
	// Creating sessions never changes the user's stored verification.
	if u, err := e.db.GetUser(ctx, first.UserID); err != nil || !reflect.DeepEqual(u.Verification, stored) {
		t.Fatalf("user verification after sign-ins = %+v, %v; want %+v", u.Verification, err, stored)
	}
}
