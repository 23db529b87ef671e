package session

import (
	"reflect"
	"testing"
)

// TestKeepClaims: cached sessions keep only the claims policies can read;
// the store keeps them all.
func TestKeepClaims(t *testing.T) {
	e := newEnv(t, nil)
	if !e.m.KeepClaims([]string{"department", "level", "department"}, false) {
		t.Fatal("first KeepClaims reported no change")
	}
	if e.m.KeepClaims([]string{"level", "department"}, false) {
		t.Fatal("the same set again reported a change")
	}
	id := ident("ada")
	id.Claims = map[string]any{"department": "research", "cost_center": "CC-1", "nonce": "n", "level": float64(3)}
	v, s, err := e.m.Create(t.Context(), id, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Identity.Claims) != 4 {
		t.Fatalf("Create changed the caller's session: %v", s.Identity.Claims)
	}
	got, err := e.m.Lookup(t.Context(), v)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"department": "research", "level": float64(3)}; !reflect.DeepEqual(got.Identity.Claims, want) {
		t.Fatalf("cached claims %v, want %v", got.Identity.Claims, want)
	}
	stored, err := e.db.GetSession(t.Context(), got.ID)
	if err != nil || len(stored.Identity.Claims) != 4 {
		t.Fatalf("the store lost claims: %v, %v", stored, err)
	}
	if !e.m.KeepClaims(nil, true) {
		t.Fatal("switching to all claims reported no change")
	}
	e.m.Resync()
	if got, _ := e.m.Lookup(t.Context(), v); len(got.Identity.Claims) != 4 {
		t.Fatalf("after keeping all and a resync: %v", got.Identity.Claims)
	}
}
