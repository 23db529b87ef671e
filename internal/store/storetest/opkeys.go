package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// opKeyBackend keeps the signing keys of the built-in OpenID Provider. They
// share the record type with the assertion keys but never the table: each
// signer refuses keys it cannot unwrap, so the two sets must never mix.
type opKeyBackend interface {
	PutOPKey(ctx context.Context, k *store.SigningKey) error
	ListOPKeys(ctx context.Context) ([]store.SigningKey, error)
}

// opKeyTests cover the OP signing keys.
var opKeyTests = []conformanceTest{
	{"OPKeyRoundTrip", testOPKeyRoundTrip},
	{"OPKeyConflict", testOPKeyConflict},
	{"OPKeyOrder", testOPKeyOrder},
	{"OPKeyApartFromSigningKeys", testOPKeyApartFromSigningKeys},
	{"OPKeyIncomplete", testOPKeyIncomplete},
}

func opKey(id string, created time.Time) *store.SigningKey {
	k := signingKey(id, created)
	k.Algorithm = "RS256"
	k.PublicKey = []byte("op-pkix-" + id)
	return k
}

func listOPKeys(t *testing.T, b Backend) []store.SigningKey {
	t.Helper()
	ks, err := b.ListOPKeys(t.Context())
	if err != nil {
		t.Fatalf("ListOPKeys: %v", err)
	}
	return ks
}

func testOPKeyRoundTrip(t *testing.T, b Backend) {
	if ks := listOPKeys(t, b); ks != nil {
		t.Fatalf("empty store lists %#v, want nil", ks)
	}
	want := opKey("k1", base)
	if err := b.PutOPKey(t.Context(), want); err != nil {
		t.Fatalf("PutOPKey: %v", err)
	}
	mustEqual(t, "keys", listOPKeys(t, b), []store.SigningKey{*want})

	// Times come back in UTC, and the zero time as the zero time.
	local := opKey("k2", base.Add(time.Second).In(time.FixedZone("X", 3600)))
	local.RetireAt, local.ExpiresAt = time.Time{}, time.Time{}
	if err := b.PutOPKey(t.Context(), local); err != nil {
		t.Fatalf("PutOPKey: %v", err)
	}
	utc := *local
	utc.CreatedAt = utc.CreatedAt.UTC()
	mustEqual(t, "keys", listOPKeys(t, b), []store.SigningKey{utc, *want})
}

func testOPKeyConflict(t *testing.T, b Backend) {
	first := opKey("k1", base)
	if err := b.PutOPKey(t.Context(), first); err != nil {
		t.Fatalf("PutOPKey: %v", err)
	}
	again := opKey("k1", base.Add(time.Hour))
	again.PrivateKey = []byte("another blob")
	if err := b.PutOPKey(t.Context(), again); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("PutOPKey(duplicate) = %v, want ErrConflict", err)
	}
	mustEqual(t, "keys after conflict (first write kept)", listOPKeys(t, b), []store.SigningKey{*first})
}

func testOPKeyOrder(t *testing.T, b Backend) {
	for _, id := range []string{"k2", "k0", "k3", "k1"} {
		i := int(id[1] - '0')
		if err := b.PutOPKey(t.Context(), opKey(id, base.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatalf("PutOPKey: %v", err)
		}
	}
	// Same CreatedAt: ordered by ID.
	for _, id := range []string{"k3b", "k3a"} {
		if err := b.PutOPKey(t.Context(), opKey(id, base.Add(3*time.Hour))); err != nil {
			t.Fatalf("PutOPKey: %v", err)
		}
	}
	var ids []string
	for _, k := range listOPKeys(t, b) {
		ids = append(ids, k.ID)
	}
	mustEqual(t, "key order", ids, []string{"k3", "k3a", "k3b", "k2", "k1", "k0"})
}

func testOPKeyApartFromSigningKeys(t *testing.T, b Backend) {
	if err := b.PutSigningKey(t.Context(), signingKey("assertion", base)); err != nil {
		t.Fatalf("PutSigningKey: %v", err)
	}
	if ks := listOPKeys(t, b); len(ks) != 0 {
		t.Fatalf("an assertion key is listed as an OP key: %+v", ks)
	}
	// The same ID in both sets is no conflict: they are separate.
	if err := b.PutOPKey(t.Context(), opKey("assertion", base)); err != nil {
		t.Fatalf("PutOPKey: %v", err)
	}
	if err := b.PutOPKey(t.Context(), opKey("op", base)); err != nil {
		t.Fatalf("PutOPKey: %v", err)
	}
	ks, err := b.ListSigningKeys(t.Context())
	if err != nil {
		t.Fatalf("ListSigningKeys: %v", err)
	}
	mustEqual(t, "assertion keys", ks, []store.SigningKey{*signingKey("assertion", base)})
	if n := len(listOPKeys(t, b)); n != 2 {
		t.Fatalf("%d OP keys, want 2", n)
	}
}

func testOPKeyIncomplete(t *testing.T, b Backend) {
	for i, mut := range []func(*store.SigningKey){
		func(k *store.SigningKey) { k.ID = "" },
		func(k *store.SigningKey) { k.Algorithm = "" },
		func(k *store.SigningKey) { k.PrivateKey = nil },
		func(k *store.SigningKey) { k.PublicKey = nil },
	} {
		k := opKey(fmt.Sprintf("k%d", i), base)
		mut(k)
		if err := b.PutOPKey(t.Context(), k); err == nil || errors.Is(err, store.ErrConflict) {
			t.Errorf("case %d: PutOPKey(incomplete) = %v, want a validation error", i, err)
		}
	}
	if ks := listOPKeys(t, b); len(ks) != 0 {
		t.Fatalf("incomplete keys were stored: %+v", ks)
	}
}
