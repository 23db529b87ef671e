package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var (
	crlThis = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	crlNext = crlThis.AddDate(0, 3, 0)
)

// stdCRL makes a P-256 CRL with crypto/x509 and returns it with its
// issuer, both parsed by this package.
func stdCRL(t testing.TB, extra ...pkix.Extension) ([]byte, *Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CSCA", Country: []string{"UT"}},
		NotBefore: crlThis.AddDate(-1, 0, 0), NotAfter: crlThis.AddDate(5, 0, 0),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true,
		SubjectKeyId: []byte{1, 2, 3, 4},
	}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := ParseCertificate(certDER)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(42), ThisUpdate: crlThis, NextUpdate: crlNext, ExtraExtensions: extra,
		RevokedCertificateEntries: []x509.RevocationListEntry{
			{SerialNumber: big.NewInt(100), RevocationTime: crlThis.Add(-time.Hour), ReasonCode: 1},
			{SerialNumber: new(big.Int).Lsh(big.NewInt(1), 100), RevocationTime: crlThis.Add(-time.Hour)},
		},
	}, tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	return der, issuer
}

func TestParseCRL(t *testing.T) {
	der, issuer := stdCRL(t)
	c, err := ParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	if c.Issuer.CommonName != "CSCA" || !c.ThisUpdate.Equal(crlThis) || !c.NextUpdate.Equal(crlNext) ||
		c.Number.Int64() != 42 || string(c.AuthorityKeyID) != "\x01\x02\x03\x04" || len(c.Revoked) != 2 ||
		c.Revoked[0].SerialNumber.Int64() != 100 || c.Revoked[1].SerialNumber.BitLen() != 101 ||
		len(c.UnhandledCriticalExtensions) != 0 {
		t.Fatalf("parsed %+v", c)
	}
	if err := CheckCRLSignature(c, issuer); err != nil {
		t.Fatal(err)
	}
	_, other := stdCRL(t)
	if CheckCRLSignature(c, other) == nil {
		t.Fatal("verified under another key")
	}
	delta, _ := stdCRL(t, pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 27}, Critical: true, Value: []byte{2, 1, 1}})
	if c, err := ParseCRL(delta); err != nil || len(c.UnhandledCriticalExtensions) != 1 {
		t.Fatalf("delta CRL: %v, %v", c, err)
	}
}

// rebuildCRL re-wraps tbs with an outer algorithm and signature.
func rebuildCRL(tbs []byte, alg asn1.ObjectIdentifier, sig []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(alg) })
		b.AddASN1BitString(sig)
	})
	return b.BytesOrPanic()
}

// tbsCRL builds a TBSCertList from raw field encodings.
func tbsCRL(fields ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, f := range fields {
			b.AddBytes(f)
		}
	})
	return b.BytesOrPanic()
}

// A CSCA with a brainpool key (crypto/x509 cannot verify these) signs a CRL.
func TestCRLBrainpool(t *testing.T) {
	der, _ := stdCRL(t)
	c, err := ParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	d, pub := testKey(t, BrainpoolP256r1)
	digest := sha256.Sum256(c.RawTBSCertList)
	r, s := testSign(t, BrainpoolP256r1, d, digest[:])
	var sb cryptobyte.Builder
	sb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1BigInt(r); b.AddASN1BigInt(s) })
	signed := rebuildCRL(c.RawTBSCertList, c.SignatureAlgorithm.Algorithm, sb.BytesOrPanic())
	bc, err := ParseCRL(signed)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckCRLSignature(bc, &Certificate{PublicKey: pub}); err != nil {
		t.Fatalf("brainpool CRL: %v", err)
	}
	_, wrong := testKey(t, BrainpoolP256r1)
	if CheckCRLSignature(bc, &Certificate{PublicKey: wrong}) == nil {
		t.Fatal("verified under another brainpool key")
	}
}

func TestParseCRLRejects(t *testing.T) {
	der, _ := stdCRL(t)
	c, _ := ParseCRL(der)
	alg := asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	algSeq := func(oid asn1.ObjectIdentifier) []byte {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
		return b.BytesOrPanic()
	}
	utc := func(tm time.Time) []byte {
		var b cryptobyte.Builder
		b.AddASN1UTCTime(tm)
		return b.BytesOrPanic()
	}
	integer := func(v int64) []byte {
		var b cryptobyte.Builder
		b.AddASN1Int64(v)
		return b.BytesOrPanic()
	}
	explicit0 := func(inner []byte) []byte {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(inner) })
		return b.BytesOrPanic()
	}
	emptySeq := []byte{0x30, 0x00}
	name := c.RawIssuer
	sig := []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}
	cases := []struct {
		name string
		der  []byte
	}{
		{"version 3", rebuildCRL(tbsCRL(integer(2), algSeq(alg), name, utc(crlThis)), alg, sig)},
		{"outer algorithm differs", rebuildCRL(tbsCRL(integer(1), algSeq(alg), name, utc(crlThis)), asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, sig)},
		{"no thisUpdate", rebuildCRL(tbsCRL(integer(1), algSeq(alg), name), alg, sig)},
		{"extensions in a v1 CRL", rebuildCRL(tbsCRL(algSeq(alg), name, utc(crlThis), explicit0(emptySeq)), alg, sig)},
		{"entry without a time", rebuildCRL(tbsCRL(integer(1), algSeq(alg), name, utc(crlThis), []byte{0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05}), alg, sig)},
		{"trailing field", rebuildCRL(tbsCRL(integer(1), algSeq(alg), name, utc(crlThis), explicit0(emptySeq), integer(0)), alg, sig)},
		{"bad name", rebuildCRL(tbsCRL(integer(1), algSeq(alg), []byte{0x30, 0x01, 0x05}, utc(crlThis)), alg, sig)},
		{"trailing bytes", append(append([]byte{}, der...), 0)},
		{"a certificate-shaped list", rebuildCRL(tbsCRL(explicit0(integer(2)), integer(5), algSeq(alg), name, emptySeq), alg, sig)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if c, err := ParseCRL(tc.der); err == nil {
				t.Fatalf("parsed %+v", c)
			}
		})
	}
	// A minimal well-formed v2 CRL from the same builders, so the rejects
	// above fail for the reason their names give.
	if _, err := ParseCRL(rebuildCRL(tbsCRL(integer(1), algSeq(alg), name, utc(crlThis), utc(crlNext)), alg, sig)); err != nil {
		t.Fatalf("minimal CRL: %v", err)
	}
}

func FuzzParseCRL(f *testing.F) {
	der, issuer := stdCRL(f)
	f.Add(der)
	delta, _ := stdCRL(f, pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 27}, Critical: true, Value: []byte{2, 1, 1}})
	f.Add(delta)
	f.Add(issuer.Raw)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCRL(b)
		if err != nil {
			return
		}
		if c.ThisUpdate.IsZero() || c.RawIssuer == nil {
			t.Fatalf("parsed without thisUpdate or issuer: %+v", c)
		}
		_ = CheckCRLSignature(c, issuer) // must not panic
	})
}
