package aa

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

const bsi2008 = "../../../../shared/testdata/emrtd/bsi2008"

// readSample reads shared test data; missing data fails under CI=true and
// skips otherwise (it lives outside the module).
func readSample(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(bsi2008, name))
	if err != nil {
		if os.IsNotExist(err) && os.Getenv("CI") != "true" {
			tb.Skipf("test data missing: %v", err)
		}
		tb.Fatalf("read test data: %v", err)
	}
	return b
}

// Keys are generated once per test binary: RSA generation dominates the
// run time otherwise.
var (
	keysOnce                sync.Once
	rsa1024, rsa1024b       *rsa.PrivateKey
	rsa2048                 *rsa.PrivateKey
	ecP256, ecP256b, ecP384 *ecdsa.PrivateKey
)

func keys(tb testing.TB) {
	tb.Helper()
	keysOnce.Do(func() {
		must := func(err error) {
			if err != nil {
				panic(err) // key generation does not fail with crypto/rand
			}
		}
		var err error
		rsa1024, err = rsa.GenerateKey(rand.Reader, 1024)
		must(err)
		rsa1024b, err = rsa.GenerateKey(rand.Reader, 1024)
		must(err)
		rsa2048, err = rsa.GenerateKey(rand.Reader, 2048)
		must(err)
		ecP256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(err)
		ecP256b, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(err)
		ecP384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		must(err)
	})
}

// wrap encodes one BER-TLV element with a single-byte tag.
func wrap(tag byte, body []byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.Tag(tag), func(b *cryptobyte.Builder) { b.AddBytes(body) })
	return b.BytesOrPanic()
}

// dg15Of builds DG15 around the key's SubjectPublicKeyInfo.
func dg15Of(tb testing.TB, pub crypto.PublicKey) []byte {
	tb.Helper()
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		tb.Fatal(err)
	}
	return wrap(0x6F, spki)
}

var (
	oidPlainSHA1   = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 1}
	oidPlainSHA256 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3}
	oidECDSASHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidCAECDH      = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2, 1}
)

// aaInfo encodes an ActiveAuthenticationInfo.
func aaInfo(version int64, alg asn1.ObjectIdentifier) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidAAProtocol)
		b.AddASN1Int64(version)
		b.AddASN1ObjectIdentifier(alg)
	})
	return b.BytesOrPanic()
}

// caInfo encodes a ChipAuthenticationInfo, a SecurityInfo AA must skip.
func caInfo() []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidCAECDH)
		b.AddASN1Int64(1)
	})
	return b.BytesOrPanic()
}

// dg14Of builds DG14 from encoded SecurityInfos.
func dg14Of(infos ...[]byte) []byte {
	var body []byte
	for _, i := range infos {
		body = append(body, i...)
	}
	return wrap(0x6E, wrap(0x31, body))
}

// representative builds F = 6A || M1 || hash(M1 || challenge) || trailer
// for a modulus of size bytes, M1 random and as long as fits. explicit
// selects the two-byte trailer naming the hash.
func representative(tb testing.TB, size int, hash crypto.Hash, explicit bool, challenge []byte) []byte {
	tb.Helper()
	ids := map[crypto.Hash]byte{crypto.SHA1: 0x33, crypto.SHA256: 0x34, crypto.SHA512: 0x35, crypto.SHA384: 0x36, crypto.SHA224: 0x38}
	var trailer []byte
	if explicit {
		trailer = []byte{ids[hash], 0xCC}
	} else {
		trailer = []byte{0xBC}
	}
	m1 := make([]byte, size-1-hash.Size()-len(trailer))
	if _, err := rand.Read(m1); err != nil {
		tb.Fatal(err)
	}
	h := hash.New()
	h.Write(m1)
	h.Write(challenge)
	f := append([]byte{0x6A}, m1...)
	f = append(f, h.Sum(nil)...)
	return append(f, trailer...)
}

// signRaw is the raw RSA private operation on F: the signing side of ISO/IEC
// 9796-2 scheme 1. alternative returns n - s, the other valid signature.
func signRaw(k *rsa.PrivateKey, f []byte, alternative bool) []byte {
	s := new(big.Int).Exp(new(big.Int).SetBytes(f), k.D, k.N)
	if alternative {
		s.Sub(k.N, s)
	}
	return s.FillBytes(make([]byte, k.Size()))
}

// signEC signs hash(challenge) and returns plain r || s (BSI TR-03111).
func signEC(tb testing.TB, k *ecdsa.PrivateKey, hash crypto.Hash, challenge []byte) []byte {
	tb.Helper()
	h := hash.New()
	h.Write(challenge)
	r, s, err := ecdsa.Sign(rand.Reader, k, h.Sum(nil))
	if err != nil {
		tb.Fatal(err)
	}
	n := (k.Curve.Params().N.BitLen() + 7) / 8
	out := make([]byte, 2*n)
	r.FillBytes(out[:n])
	s.FillBytes(out[n:])
	return out
}

func challenge8() []byte { return []byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF} }

func flip(b []byte, bit int) []byte {
	c := append([]byte(nil), b...)
	c[bit/8] ^= 0x80 >> (bit % 8)
	return c
}
