package opkeys

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/keys"
	"github.com/vigil-gw/vigil/internal/store"
)

// testWrapper is the wrapper for secret, or the same format under the key
// derived for another purpose.
func testWrapper(t testing.TB, secret []byte, purpose string) *wrapper {
	t.Helper()
	w, err := newWrapper(secret, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if purpose != purposeWrap {
		k, err := keys.Derive(secret, purpose)
		if err != nil {
			t.Fatal(err)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			t.Fatal(err)
		}
		if w.aead, err = cipher.NewGCM(block); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func mustPriv(t testing.TB, w *wrapper, rec *store.SigningKey) crypto.Signer {
	t.Helper()
	_, priv, err := w.open(rec)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

func sealed(t testing.TB, w *wrapper, priv crypto.Signer) *store.SigningKey {
	t.Helper()
	rec, err := w.seal(priv, t0, t0.Add(time.Hour), t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// reseal seals der into rec as is, with the right secret: it tests the
// checks after the AEAD, which only a holder of the master secret could
// reach.
func reseal(t testing.TB, w *wrapper, rec *store.SigningKey, priv any) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, w.aead.NonceSize())
	rand.Read(nonce)
	rec.PrivateKey = w.aead.Seal(append([]byte{wrapVersion}, nonce...), nonce, der, additionalData(rec))
}

type tamperCase struct {
	name   string
	mut    func(t testing.TB, w *wrapper, rec, other *store.SigningKey)
	unwrap bool // fails as ErrUnwrap (the AEAD refuses it)
}

var tamperCases = []tamperCase{
	{"intact", func(testing.TB, *wrapper, *store.SigningKey, *store.SigningKey) {}, false},
	{"ciphertext bit", func(_ testing.TB, _ *wrapper, r, _ *store.SigningKey) { r.PrivateKey[len(r.PrivateKey)-1] ^= 1 }, true},
	{"truncated", func(_ testing.TB, _ *wrapper, r, _ *store.SigningKey) { r.PrivateKey = r.PrivateKey[:20] }, true},
	{"version", func(_ testing.TB, _ *wrapper, r, _ *store.SigningKey) { r.PrivateKey[0] = 2 }, true},
	{"retire extended", func(_ testing.TB, _ *wrapper, r, _ *store.SigningKey) { r.RetireAt = r.RetireAt.Add(time.Minute) }, true},
	{"expiry extended", func(_ testing.TB, _ *wrapper, r, _ *store.SigningKey) { r.ExpiresAt = r.ExpiresAt.Add(time.Hour) }, true},
	{"created moved", func(_ testing.TB, _ *wrapper, r, _ *store.SigningKey) { r.CreatedAt = r.CreatedAt.Add(-time.Second) }, true},
	{"foreign public key", func(_ testing.TB, _ *wrapper, r, o *store.SigningKey) { r.PublicKey = o.PublicKey }, true},
	{"foreign kid", func(_ testing.TB, _ *wrapper, r, o *store.SigningKey) { r.ID = o.ID }, true},
	{"blob of another record", func(_ testing.TB, _ *wrapper, r, o *store.SigningKey) { r.PrivateKey = o.PrivateKey }, true},
	{"relabelled RS256", func(_ testing.TB, _ *wrapper, r, _ *store.SigningKey) { r.Algorithm = RS256 }, true},
	{"algorithm none", func(_ testing.TB, _ *wrapper, r, _ *store.SigningKey) { r.Algorithm = "none" }, false},
	{"lifetimes reversed", func(_ testing.TB, _ *wrapper, r, _ *store.SigningKey) { r.RetireAt = r.CreatedAt }, false},
	{"assertion key", func(t testing.TB, _ *wrapper, r, _ *store.SigningKey) {
		*r = *sealed(t, testWrapper(t, master, keys.PurposeKeyWrap), ecKey(t))
	}, true},
	// Sealed with the right secret, yet inconsistent: the checks after the AEAD.
	{"kid not the thumbprint", func(t testing.TB, w *wrapper, r, o *store.SigningKey) {
		priv := mustPriv(t, w, r)
		r.ID = o.ID
		reseal(t, w, r, priv)
	}, false},
	{"public key of another", func(t testing.TB, w *wrapper, r, o *store.SigningKey) {
		priv := mustPriv(t, w, r)
		r.PublicKey = o.PublicKey
		reseal(t, w, r, priv)
	}, false},
	{"ES256 key labelled RS256", func(t testing.TB, w *wrapper, r, _ *store.SigningKey) {
		priv := mustPriv(t, w, r)
		r.Algorithm = RS256
		reseal(t, w, r, priv)
	}, false},
	{"RSA 1024", func(t testing.TB, w *wrapper, r, _ *store.SigningKey) {
		k, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			t.Fatal(err)
		}
		r.Algorithm = RS256
		r.PublicKey, _ = x509.MarshalPKIXPublicKey(&k.PublicKey)
		reseal(t, w, r, k)
	}, false},
}

func TestOpenRefusesTampering(t *testing.T) {
	w := testWrapper(t, master, purposeWrap)
	for _, tc := range tamperCases {
		t.Run(tc.name, func(t *testing.T) {
			rec, other := sealed(t, w, ecKey(t)), sealed(t, w, ecKey(t))
			want := rec.ID
			tc.mut(t, w, rec, other)
			k, _, err := w.open(rec)
			if tc.name == "intact" {
				if err != nil || k.ID() != want {
					t.Fatalf("open(intact) = %v, %v", k, err)
				}
				return
			}
			if err == nil {
				t.Fatal("opened a tampered record")
			}
			if got := errors.Is(err, ErrUnwrap); got != tc.unwrap {
				t.Fatalf("error %q: ErrUnwrap %v, want %v", err, got, tc.unwrap)
			}
		})
	}
}

// A tampered record in the database stops New, and a running Ring neither
// publishes nor uses one planted later.
func TestTamperedStoredKeyRefused(t *testing.T) {
	c := newClock()
	db := openDB(t, dbPath(t))
	r := newRing(t, db, c)
	k := current(t, r)
	recs, err := db.ListOPKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	bad := recs[0]
	bad.ExpiresAt = bad.ExpiresAt.Add(365 * 24 * time.Hour) // keep an old key published for a year
	bad.PrivateKey = slices.Clone(bad.PrivateKey)

	fresh := openDB(t, dbPath(t))
	if err := fresh.PutOPKey(t.Context(), &bad); err != nil {
		t.Fatal(err)
	}
	if _, err := New(t.Context(), Config{Store: fresh, Master: master, Now: c.Now}); !errors.Is(err, ErrUnwrap) {
		t.Fatalf("New over a tampered key = %v; want ErrUnwrap", err)
	}

	planted := sealed(t, testWrapper(t, otherMaster, purposeWrap), ecKey(t))
	if err := db.PutOPKey(t.Context(), planted); err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(t.Context()); !errors.Is(err, ErrUnwrap) {
		t.Fatalf("Refresh over a planted key = %v; want ErrUnwrap", err)
	}
	if ids := publishedIDs(t, r); !slices.Equal(ids, []string{k.ID()}) || current(t, r).ID() != k.ID() {
		t.Fatalf("published %v after a planted key", ids)
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	w := testWrapper(t, master, purposeWrap)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, priv := range []crypto.Signer{ecKey(t), rsaKey} {
		rec := sealed(t, w, priv)
		if bytes.Contains(rec.PrivateKey, mustDER(t, priv)[8:40]) {
			t.Fatal("private key stored in the clear")
		}
		k, got, err := w.open(rec)
		if err != nil {
			t.Fatal(err)
		}
		if k.ID() != rec.ID || k.Algorithm() != rec.Algorithm || !got.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(priv.Public()) {
			t.Fatalf("round trip changed the key: %s %s", k.ID(), k.Algorithm())
		}
		if _, _, err := testWrapper(t, otherMaster, purposeWrap).open(rec); !errors.Is(err, ErrUnwrap) {
			t.Fatalf("opened with another master secret: %v", err)
		}
	}
}

func fixedKey(t testing.TB, seed string) *ecdsa.PrivateKey {
	t.Helper()
	d := sha256.Sum256([]byte(seed))
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustDER(t testing.TB, priv any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// FuzzOpen feeds altered records (the database is outside input): open must
// never panic, and must accept nothing but the record as sealed.
func FuzzOpen(f *testing.F) {
	// Fixed keys: fuzz workers rerun this setup and must get the same orig.
	w := testWrapper(f, master, purposeWrap)
	orig := sealed(f, w, fixedKey(f, "fuzz key 1"))
	other := sealed(f, w, fixedKey(f, "fuzz key 2"))
	for _, tc := range tamperCases {
		if tc.name == "assertion key" || tc.name == "RSA 1024" {
			continue // too slow or needs a fresh wrapper per seed
		}
		rec := *orig
		rec.PrivateKey = slices.Clone(orig.PrivateKey)
		tc.mut(f, w, &rec, other)
		f.Add(rec.ID, rec.Algorithm, rec.PrivateKey, rec.PublicKey, rec.RetireAt.UnixMicro())
	}
	f.Fuzz(func(t *testing.T, id, alg string, priv, pub []byte, retire int64) {
		rec := &store.SigningKey{ID: id, Algorithm: alg, PrivateKey: priv, PublicKey: pub,
			CreatedAt: orig.CreatedAt, RetireAt: time.UnixMicro(retire).UTC(), ExpiresAt: orig.ExpiresAt}
		k, _, err := w.open(rec)
		if err != nil {
			return
		}
		if k.ID() != orig.ID || !bytes.Equal(pub, orig.PublicKey) || retire != orig.RetireAt.UnixMicro() {
			t.Fatalf("opened an altered record as %s", k.ID())
		}
	})
}
