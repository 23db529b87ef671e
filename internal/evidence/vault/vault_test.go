package vault

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	v, err := New([]byte(strings.Repeat("k", 32)), nil)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := New([]byte(strings.Repeat("x", 32)), nil)
	pt := []byte("\xff\xd8 a jpeg")
	sealed, err := v.Seal("ev1", "selfie", pt)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, pt) {
		t.Fatal("plaintext visible in the sealed blob")
	}
	if got, err := v.Open("ev1", "selfie", sealed); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	cases := []struct {
		name     string
		v        *Vault
		id, kind string
		blob     []byte
	}{
		{"other key", other, "ev1", "selfie", sealed},
		{"other record", v, "ev2", "selfie", sealed},
		{"other kind", v, "ev1", "document-front", sealed},
		{"shifted binding", v, "ev1s", "elfie", sealed},
		{"tampered", v, "ev1", "selfie", flipped},
		{"truncated", v, "ev1", "selfie", sealed[:10]},
		{"empty", v, "ev1", "selfie", nil},
	}
	for _, tc := range cases {
		if _, err := tc.v.Open(tc.id, tc.kind, tc.blob); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: err = %v, want ErrOpen", tc.name, err)
		}
	}
	if _, err := New([]byte("short"), nil); err == nil {
		t.Error("a short master secret was accepted")
	}
}

func FuzzOpen(f *testing.F) {
	v, _ := New([]byte(strings.Repeat("k", 32)), nil)
	s, _ := v.Seal("a", "b", []byte("c"))
	f.Add(s)
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		v.Open("a", "b", b) // must not panic
	})
}
