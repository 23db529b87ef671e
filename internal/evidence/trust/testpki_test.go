package trust

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

// A small synthetic PKI for what the real data cannot show: revocation,
// odd key usages, keys the tests hold. P-256 via crypto/x509.

var (
	pkiStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	pkiEnd   = time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC)
	// dsTime is inside every synthetic DS's validity.
	dsTime = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
)

type testCA struct {
	tmpl *x509.Certificate
	key  *ecdsa.PrivateKey
	cert *pki.Certificate
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func parseDER(t testing.TB, der []byte, err error) *pki.Certificate {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	c, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newCSCA makes a self-signed CSCA named CN=cn,C=UT with the ICAO key usage
// unless tweak changes the template. key may be nil for a fresh one.
func newCSCA(t testing.TB, cn string, key *ecdsa.PrivateKey, tweak func(*x509.Certificate)) *testCA {
	t.Helper()
	if key == nil {
		key = newKey(t)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn, Country: []string{"UT"}},
		NotBefore: pkiStart, NotAfter: pkiEnd,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
	}
	if tweak != nil {
		tweak(tmpl)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	return &testCA{tmpl: tmpl, key: key, cert: parseDER(t, der, err)}
}

// newDS issues a Document Signer with the given serial and key usage.
func (ca *testCA) newDS(t testing.TB, serial int64, ku x509.KeyUsage, extra ...pkix.Extension) *pki.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "DS", Country: []string{"UT"}},
		NotBefore: pkiStart.AddDate(0, 1, 0), NotAfter: pkiStart.AddDate(2, 0, 0),
		KeyUsage: ku, ExtraExtensions: extra,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.tmpl, &newKey(t).PublicKey, ca.key)
	return parseDER(t, der, err)
}

// newCRL makes a CRL by ca listing serials.
func (ca *testCA) newCRL(t testing.TB, thisUpdate time.Time, serials []int64, extra ...pkix.Extension) []byte {
	t.Helper()
	rl := &x509.RevocationList{
		Number: big.NewInt(thisUpdate.Unix()), ThisUpdate: thisUpdate, NextUpdate: thisUpdate.AddDate(0, 3, 0),
		ExtraExtensions: extra,
	}
	for _, s := range serials {
		rl.RevokedCertificateEntries = append(rl.RevokedCertificateEntries,
			x509.RevocationListEntry{SerialNumber: big.NewInt(s), RevocationTime: thisUpdate.Add(-time.Hour)})
	}
	issuer := *ca.tmpl
	issuer.SubjectKeyId = ca.cert.SubjectKeyID
	issuer.KeyUsage |= x509.KeyUsageCRLSign // x509 insists; trust checks the trusted cert instead
	der, err := x509.CreateRevocationList(rand.Reader, rl, &issuer, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
