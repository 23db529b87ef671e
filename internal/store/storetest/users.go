package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
)

// userVerificationTests pin down the verification kept on a user record,
// which a new session of that user starts with.
var userVerificationTests = []conformanceTest{
	{"UserVerificationRoundTrip", testUserVerificationRoundTrip},
	{"UserUpsertKeepsVerification", testUserUpsertKeepsVerification},
	{"UserVerificationClear", testUserVerificationClear},
	{"UserVerificationNotFound", testUserVerificationNotFound},
}

// fullVerification sets every field, with times outside UTC and with
// microsecond detail, to catch a backend that drops or rounds any of them.
func fullUserVerification() *identity.Verification {
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	return &identity.Verification{
		Provider: "idv", Subject: "v-42", TrustFramework: "nist_800_63A", Level: "ial2",
		ACR: "urn:idv:ial2", AMR: []string{"face", "pwd"},
		VerifiedAt: base.Add(-time.Hour).In(zone), AuthTime: base.Add(-time.Minute).In(zone),
		Methods: []string{"vcrypt", "bvr"},
	}
}

// inUTC is v as every backend returns it: times in UTC.
func inUTC(v *identity.Verification) *identity.Verification {
	c := *v
	c.VerifiedAt, c.AuthTime = c.VerifiedAt.UTC(), c.AuthTime.UTC()
	return &c
}

func newUser(id string, at time.Time) *store.User {
	return &store.User{ID: id, Provider: "corp", Subject: "abc", Email: "ada@example.com",
		Name: "Ada", FirstSeenAt: at, LastSeenAt: at}
}

func getUser(t *testing.T, b Backend, id string) *store.User {
	t.Helper()
	u, err := b.GetUser(t.Context(), id)
	if err != nil {
		t.Fatalf("GetUser(%q): %v", id, err)
	}
	return u
}

func testUserVerificationRoundTrip(t *testing.T, b Backend) {
	u := newUser("corp:abc", base)
	if err := b.UpsertUser(t.Context(), u); err != nil {
		t.Fatalf("UpsertUser: %v", err)
	}
	if u.Verification != nil {
		t.Fatalf("new user reported verification %+v, want nil", u.Verification)
	}
	if got := getUser(t, b, u.ID).Verification; got != nil {
		t.Fatalf("new user's verification = %+v, want nil", got)
	}
	v := fullUserVerification()
	if err := b.SetUserVerification(t.Context(), u.ID, v); err != nil {
		t.Fatalf("SetUserVerification: %v", err)
	}
	want := *u
	want.Verification = inUTC(v)
	mustEqual(t, "user", getUser(t, b, u.ID), &want)

	// A later verification replaces the earlier one.
	v2 := &identity.Verification{Provider: "other", Subject: "o-1", Level: "ial1", VerifiedAt: base}
	if err := b.SetUserVerification(t.Context(), u.ID, v2); err != nil {
		t.Fatalf("SetUserVerification (second): %v", err)
	}
	mustEqual(t, "replaced verification", getUser(t, b, u.ID).Verification, v2)
}

func testUserUpsertKeepsVerification(t *testing.T, b Backend) {
	if err := b.UpsertUser(t.Context(), newUser("corp:abc", base)); err != nil {
		t.Fatalf("UpsertUser: %v", err)
	}
	v := fullUserVerification()
	if err := b.SetUserVerification(t.Context(), "corp:abc", v); err != nil {
		t.Fatalf("SetUserVerification: %v", err)
	}
	// The next sign-in upserts the user without a verification (and another
	// caller might pass a different one): neither may change the stored one.
	for i, given := range []*identity.Verification{nil, {Provider: "forged", Subject: "x", Level: "ial3"}} {
		later := base.Add(time.Duration(i+1) * 24 * time.Hour)
		again := newUser("corp:abc", later)
		again.Email, again.Verification = "new@example.com", given
		if err := b.UpsertUser(t.Context(), again); err != nil {
			t.Fatalf("upsert %d: %v", i, err)
		}
		want := &store.User{ID: "corp:abc", Provider: "corp", Subject: "abc", Email: "new@example.com",
			Name: "Ada", FirstSeenAt: base, LastSeenAt: later, Verification: inUTC(v)}
		mustEqual(t, "upserted record (verification reported back)", again, want)
		mustEqual(t, "stored user", getUser(t, b, "corp:abc"), want)
	}
}

func testUserVerificationClear(t *testing.T, b Backend) {
	if err := b.UpsertUser(t.Context(), newUser("corp:abc", base)); err != nil {
		t.Fatalf("UpsertUser: %v", err)
	}
	if err := b.SetUserVerification(t.Context(), "corp:abc", fullUserVerification()); err != nil {
		t.Fatalf("SetUserVerification: %v", err)
	}
	if err := b.SetUserVerification(t.Context(), "corp:abc", nil); err != nil {
		t.Fatalf("SetUserVerification(nil): %v", err)
	}
	if got := getUser(t, b, "corp:abc").Verification; got != nil {
		t.Fatalf("verification after clear = %+v, want nil", got)
	}
	u := newUser("corp:abc", base.Add(time.Hour))
	if err := b.UpsertUser(t.Context(), u); err != nil || u.Verification != nil {
		t.Fatalf("UpsertUser after clear: verification %+v, err %v; want nil, nil", u.Verification, err)
	}
}

func testUserVerificationNotFound(t *testing.T, b Backend) {
	for _, v := range []*identity.Verification{fullUserVerification(), nil} {
		if err := b.SetUserVerification(t.Context(), "missing", v); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("SetUserVerification(missing, %v) = %v, want ErrNotFound", v, err)
		}
	}
	if _, err := b.GetUser(t.Context(), "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetUser(missing) = %v, want ErrNotFound", err)
	}
}
