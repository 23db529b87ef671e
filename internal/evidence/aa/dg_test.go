package aa

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"math/big"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The BSI 2008 specimen passport: DG15 holds an RSA-1024 AA key, DG14 holds
// Chip Authentication (ECDH on brainpoolP224r1, explicit parameters) and
// Terminal Authentication infos but no ActiveAuthenticationInfo.
func TestBSI2008(t *testing.T) {
	dg15 := readSample(t, "Datagroup15.bin")
	key, err := ParseDG15(dg15)
	if err != nil {
		t.Fatal(err)
	}
	if key.Type != "RSA-1024" {
		t.Errorf("DG15 key type %q, want RSA-1024", key.Type)
	}
	if k := key.Key.(*rsa.PublicKey); k.E != 65537 {
		t.Errorf("exponent %d", k.E)
	}
	dg14 := readSample(t, "Datagroup14.bin")
	h, ok, err := AlgorithmFromDG14(dg14)
	if err != nil || ok || h != 0 {
		t.Fatalf("AlgorithmFromDG14 = %v, %v, %v; want no AA info", h, ok, err)
	}
	// A random response must not pass under the real key.
	checkReason(t, Verify(dg15, dg14, challenge8(), make([]byte, 128)), ReasonSignatureInvalid)
}

// TestBSI2008ChipAuthenticationKeyAsDG15 reuses the real explicit-parameter
// brainpool key from the specimen's DG14 as if it were an AA key: it must
// parse and be named, and without AA info in DG14 it cannot be verified.
func TestBSI2008ChipAuthenticationKeyAsDG15(t *testing.T) {
	dg14 := readSample(t, "Datagroup14.bin")
	spki := caPublicKey(t, dg14)
	dg15 := wrap(0x6F, spki)
	key, err := ParseDG15(dg15)
	if err != nil {
		t.Fatal(err)
	}
	if key.Type != "EC brainpoolP224r1" {
		t.Errorf("type %q", key.Type)
	}
	checkReason(t, Verify(dg15, dg14, challenge8(), make([]byte, 56)), ReasonUnsupported)
	checkReason(t, Verify(dg15, nil, challenge8(), make([]byte, 56)), ReasonUnsupported)
	// With AA info naming SHA-224 the check runs, and a zero r||s fails.
	checkReason(t, Verify(dg15, dg14Of(aaInfo(1, oidPlainSHA1)), challenge8(), make([]byte, 56)), ReasonSignatureInvalid)
}

// caPublicKey digs the SubjectPublicKeyInfo out of the first
// ChipAuthenticationPublicKeyInfo in DG14.
func caPublicKey(t testing.TB, dg14 []byte) []byte {
	content, err := unwrap(dg14, 0x6E)
	if err != nil {
		t.Fatal(err)
	}
	in := cryptobyte.String(content)
	var set, info, spki cryptobyte.String
	var tag cbasn1.Tag
	var oid cryptobyte.String
	if !in.ReadASN1(&set, cbasn1.SET) || !set.ReadASN1(&info, cbasn1.SEQUENCE) ||
		!info.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) || !info.ReadAnyASN1Element(&spki, &tag) {
		t.Fatal("DG14 layout unlike the specimen's")
	}
	return spki
}

func TestParseDG15(t *testing.T) {
	keys(t)
	edPub, _, _ := ed25519.GenerateKey(nil)
	odd := func(bits int) *big.Int { // an odd number of exactly bits bits
		n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
		return n.Add(n, big.NewInt(1))
	}
	for _, c := range []struct {
		name string
		dg15 []byte
		typ  string
		want string
	}{
		{"RSA-1024", dg15Of(t, &rsa1024.PublicKey), "RSA-1024", ""},
		{"RSA-2048", dg15Of(t, &rsa2048.PublicKey), "RSA-2048", ""},
		{"P-256", dg15Of(t, &ecP256.PublicKey), "EC P-256", ""},
		{"P-384", dg15Of(t, &ecP384.PublicKey), "EC P-384", ""},
		{"long-form length", append([]byte{0x6F, 0x82, 0x00, 0xA1}, readSample(t, "Datagroup15.bin")[3:]...), "RSA-1024", ""},
		{"RSA-1016", dg15Of(t, &rsa.PublicKey{N: odd(1016), E: 65537}), "", ReasonUnsupported},
		{"RSA-1028 (not whole bytes)", dg15Of(t, &rsa.PublicKey{N: odd(1028), E: 65537}), "", ReasonUnsupported},
		{"RSA-4104", dg15Of(t, &rsa.PublicKey{N: odd(4104), E: 65537}), "", ReasonUnsupported},
		{"RSA e = 1", dg15Of(t, &rsa.PublicKey{N: odd(1024), E: 1}), "", ReasonUnsupported},
		{"RSA e even", dg15Of(t, &rsa.PublicKey{N: odd(1024), E: 65536}), "", ReasonUnsupported},
		{"Ed25519", dg15Of(t, edPub), "", ReasonUnsupported},
		{"wrong tag", wrap(0x6E, readSample(t, "Datagroup15.bin")[3:]), "", ReasonKeyMalformed},
		{"trailing byte", append(readSample(t, "Datagroup15.bin"), 0), "", ReasonKeyMalformed},
		{"indefinite length", []byte{0x6F, 0x80, 0, 0}, "", ReasonKeyMalformed},
		{"empty", nil, "", ReasonKeyMalformed},
		{"not an SPKI", wrap(0x6F, []byte{0x30, 0x00}), "", ReasonKeyMalformed},
		{"EC point off the curve", func() []byte {
			b := dg15Of(t, &ecP256.PublicKey)
			b[len(b)-1] ^= 1
			return b
		}(), "", ReasonKeyMalformed},
		{"too large", wrap(0x6F, make([]byte, MaxFileLen)), "", ReasonKeyMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, err := ParseDG15(c.dg15)
			checkReason(t, err, c.want)
			if c.want == "" && k.Type != c.typ {
				t.Errorf("type %q, want %q", k.Type, c.typ)
			}
		})
	}
}

func TestAlgorithmFromDG14(t *testing.T) {
	for _, c := range []struct {
		name string
		dg14 []byte
		hash crypto.Hash
		ok   bool
		want string
	}{
		{"plain SHA-256 after CA info", dg14Of(caInfo(), aaInfo(1, oidPlainSHA256)), crypto.SHA256, true, ""},
		{"X9.62 SHA-384", dg14Of(aaInfo(1, oidECDSASHA384)), crypto.SHA384, true, ""},
		{"no AA info", dg14Of(caInfo()), 0, false, ""},
		{"empty set", dg14Of(), 0, false, ""},
		{"two AA infos", dg14Of(aaInfo(1, oidPlainSHA256), aaInfo(1, oidPlainSHA256)), 0, false, ReasonKeyMalformed},
		{"unknown algorithm", dg14Of(aaInfo(1, oidCAECDH)), 0, false, ReasonUnsupported},
		{"version 0", dg14Of(aaInfo(0, oidPlainSHA256)), 0, false, ReasonUnsupported},
		{"AA info with extra field", dg14Of(append(aaInfo(1, oidPlainSHA256)[:0:0], wrap(0x30, append(aaInfo(1, oidPlainSHA256)[2:], 0x05, 0x00))...)), 0, false, ReasonKeyMalformed},
		{"SecurityInfo without data", dg14Of(wrap(0x30, []byte{0x06, 0x01, 0x2A})), 0, false, ReasonKeyMalformed},
		{"SecurityInfo with three fields", dg14Of(wrap(0x30, []byte{0x06, 0x01, 0x2A, 0x02, 0x01, 0x01, 0x05, 0x00, 0x05, 0x00})), 0, false, ReasonKeyMalformed},
		{"SEQUENCE instead of SET", wrap(0x6E, wrap(0x30, caInfo())), 0, false, ReasonKeyMalformed},
		{"trailing byte in SET content", wrap(0x6E, append(wrap(0x31, caInfo()), 0)), 0, false, ReasonKeyMalformed},
		{"wrong tag", wrap(0x6F, wrap(0x31, caInfo())), 0, false, ReasonKeyMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, ok, err := AlgorithmFromDG14(c.dg14)
			checkReason(t, err, c.want)
			if h != c.hash || ok != c.ok {
				t.Errorf("got %v, %v; want %v, %v", h, ok, c.hash, c.ok)
			}
		})
	}
}
