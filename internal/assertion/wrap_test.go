package assertion

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

func TestWrapRoundTrip(t *testing.T) {
	w, err := newKeyWrapper(testMaster, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := generateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := w.seal(priv, testStart, testStart.Add(time.Hour), testStart.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	if bytes.Contains(rec.PrivateKey, der) || bytes.Contains(rec.PrivateKey, priv.D.Bytes()) {
		t.Fatal("wrapped key holds the private key in the clear")
	}
	got, err := w.open(rec)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if !got.Equal(priv) {
		t.Fatal("unwrapped key differs")
	}
}

func TestOpenRejects(t *testing.T) {
	w, _ := newKeyWrapper(testMaster, rand.Reader)
	other, _ := newKeyWrapper(otherMaster, rand.Reader)
	priv, _ := generateKey(rand.Reader)
	priv2, _ := generateKey(rand.Reader)
	good, err := w.seal(priv, testStart, testStart, testStart)
	if err != nil {
		t.Fatal(err)
	}
	foreign, _ := other.seal(priv2, testStart, testStart, testStart)
	pub2, _ := x509.MarshalPKIXPublicKey(&priv2.PublicKey)

	tests := []struct {
		name   string
		w      *keyWrapper
		edit   func(r *store.SigningKey)
		want   string
		unwrap bool
	}{
		{name: "wrong master", w: other, unwrap: true},
		{name: "record from another master", w: w, edit: func(r *store.SigningKey) { *r = *foreign }, unwrap: true},
		{name: "kid changed", w: w, edit: func(r *store.SigningKey) { r.ID = "other" }, unwrap: true},
		{name: "public key swapped", w: w, edit: func(r *store.SigningKey) { r.PublicKey = pub2 }, unwrap: true},
		{name: "ciphertext flipped", w: w, edit: func(r *store.SigningKey) { r.PrivateKey[len(r.PrivateKey)-1] ^= 1 }, unwrap: true},
		{name: "unknown version", w: w, edit: func(r *store.SigningKey) { r.PrivateKey[0] = 9 }, unwrap: true},
		{name: "truncated", w: w, edit: func(r *store.SigningKey) { r.PrivateKey = r.PrivateKey[:5] }, unwrap: true},
		{name: "empty", w: w, edit: func(r *store.SigningKey) { r.PrivateKey = nil }, unwrap: true},
		{name: "algorithm", w: w, edit: func(r *store.SigningKey) { r.Algorithm = "RS256" }, want: "algorithm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := *good
			rec.PrivateKey = bytes.Clone(good.PrivateKey)
			if tt.edit != nil {
				tt.edit(&rec)
			}
			_, err := tt.w.open(&rec)
			if err == nil {
				t.Fatal("open succeeded")
			}
			if tt.unwrap && !errors.Is(err, errUnwrap) {
				t.Fatalf("err = %v, want errUnwrap", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestNewKeyWrapperShortSecret(t *testing.T) {
	if _, err := newKeyWrapper([]byte("short"), rand.Reader); err == nil {
		t.Fatal("short master secret accepted")
	}
}
