package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

const testdata = "../../../../shared/testdata/emrtd/masterlists"

func readTestdata(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Skipf("test data not available: %v", err)
	}
	return b
}

// findCertificates walks DER and returns every element shaped like a
// certificate (SEQUENCE { SEQUENCE, SEQUENCE, BIT STRING }). It descends into
// constructed elements and into OCTET STRINGs holding DER (CMS eContent).
func findCertificates(der []byte, out *[][]byte) {
	s := cryptobyte.String(der)
	for !s.Empty() {
		var elem, body cryptobyte.String
		var tag cbasn1.Tag
		if !s.ReadAnyASN1Element(&elem, &tag) {
			return
		}
		body = elem
		var hdr cbasn1.Tag
		if !body.ReadAnyASN1(&body, &hdr) {
			return
		}
		if tag == cbasn1.SEQUENCE && looksLikeCert(body) {
			*out = append(*out, elem)
			continue
		}
		if tag&0x20 != 0 || tag == cbasn1.OCTET_STRING {
			findCertificates(body, out)
		}
	}
}

func looksLikeCert(body cryptobyte.String) bool {
	var a, b, c cryptobyte.String
	return body.ReadASN1(&a, cbasn1.SEQUENCE) && body.ReadASN1(&b, cbasn1.SEQUENCE) &&
		body.ReadASN1(&c, cbasn1.BIT_STRING) && body.Empty()
}

func TestPublisherCSCAs(t *testing.T) {
	for _, name := range []string{"DE_ROOT_CA_CSCA07.cer", "NL_ROOT_CA.cer"} {
		t.Run(name, func(t *testing.T) {
			c, err := ParseCertificate(readTestdata(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if !c.IsCA || !c.BasicConstraintsValid {
				t.Error("CSCA is not marked CA")
			}
			if err := CheckSignature(c, c); err != nil {
				t.Errorf("self-signature: %v", err)
			}
			t.Logf("%s: %s, parsed by crypto/x509: %v", c.Subject.CommonName, keyLabel(c), c.X509 != nil)
			tampered := *c
			tampered.RawTBSCertificate = append([]byte{}, c.RawTBSCertificate...)
			tampered.RawTBSCertificate[len(tampered.RawTBSCertificate)-1] ^= 1
			if CheckSignature(&tampered, c) == nil {
				t.Error("tampered certificate verified")
			}
		})
	}
}

func keyLabel(c *Certificate) string {
	switch k := c.PublicKey.(type) {
	case *ECPublicKey:
		if k.Curve.Name == "" {
			return fmt.Sprintf("EC unnamed %d-bit", k.Curve.P.BitLen())
		}
		if k.Explicit {
			return "EC " + k.Curve.Name + " (explicit)"
		}
		return "EC " + k.Curve.Name
	default:
		return fmt.Sprintf("%T", k)
	}
}

// TestMasterLists parses every certificate of both master lists and checks
// the self-signed CSCAs (subject = issuer and the key identifiers agree)
// with their own key, and link certificates with the list member whose
// subject key identifier they name.
func TestMasterLists(t *testing.T) {
	for _, name := range []string{"DE_ML_2026-05-28.ml", "NL_ML_2026-07-22.ml"} {
		t.Run(name, func(t *testing.T) {
			var ders [][]byte
			findCertificates(readTestdata(t, name), &ders)
			if len(ders) < 100 {
				t.Fatalf("found only %d certificates", len(ders))
			}
			refused := 0
			var certs []*Certificate
			for i, der := range ders {
				if _, err := x509.ParseCertificate(der); err != nil {
					refused++
				}
				c, err := ParseCertificate(der)
				if err != nil {
					t.Errorf("certificate %d: %v", i, err)
					continue
				}
				certs = append(certs, c)
			}
			verified, failed := map[string]int{}, map[string]int{}
			selfSigned, links, linksVerified, linksNoIssuer := 0, 0, 0, 0
			for _, c := range certs {
				label := c.SignatureAlgorithm.Algorithm.String() + " / " + keyLabel(c)
				if len(c.AuthorityKeyID) == 0 || bytes.Equal(c.AuthorityKeyID, c.SubjectKeyID) {
					if !bytes.Equal(c.RawSubject, c.RawIssuer) {
						continue // issued by another CA
					}
					selfSigned++
					if err := CheckSignature(c, c); err != nil {
						failed[label+": "+err.Error()]++
					} else {
						verified[label]++
					}
					continue
				}
				links++
				found := false
				for _, p := range certs {
					if bytes.Equal(p.SubjectKeyID, c.AuthorityKeyID) && bytes.Equal(p.RawSubject, c.RawIssuer) {
						found = true
						if CheckSignature(c, p) == nil {
							linksVerified++
							break
						}
					}
				}
				if !found {
					linksNoIssuer++
				}
			}
			t.Logf("%s: %d certificates, crypto/x509 refuses %d, parsed %d", name, len(ders), refused, len(certs))
			t.Logf("self-signed %d (verified %d); other-issuer %d: verified by a list member %d, issuer not in list %d",
				selfSigned, sum(verified), links, linksVerified, linksNoIssuer)
			logCounts(t, "verified", verified)
			logCounts(t, "NOT verified", failed)
			if len(certs) != len(ders) || len(failed) != 0 || linksVerified != links-linksNoIssuer {
				t.Error("not every certificate parsed and verified")
			}
		})
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func logCounts(t *testing.T, what string, m map[string]int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("  %s %4d  %s", what, m[k], k)
	}
}

func seedCertificates(f *testing.F) [][]byte {
	var ders [][]byte
	for _, name := range []string{"DE_ROOT_CA_CSCA07.cer", "NL_ROOT_CA.cer"} {
		if b, err := os.ReadFile(filepath.Join(testdata, name)); err == nil {
			ders = append(ders, b)
		}
	}
	if b, err := os.ReadFile(filepath.Join(testdata, "DE_ML_2026-05-28.ml")); err == nil {
		var all [][]byte
		findCertificates(b, &all)
		// A sample with every key kind: every 20th certificate.
		for i := 0; i < len(all); i += 20 {
			ders = append(ders, all[i])
		}
	}
	return ders
}

func FuzzParseCertificate(f *testing.F) {
	for _, der := range seedCertificates(f) {
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := ParseCertificate(der)
		if err != nil {
			return
		}
		_ = CheckSignature(c, c) // must not panic whatever the key
	})
}

func FuzzParsePublicKey(f *testing.F) {
	for _, der := range seedCertificates(f) {
		if c, err := ParseCertificate(der); err == nil {
			f.Add(c.RawSubjectPublicKeyInfo)
		}
	}
	f.Fuzz(func(t *testing.T, spki []byte) {
		pub, err := ParsePublicKey(spki)
		if err != nil {
			return
		}
		if k, ok := pub.(*ECPublicKey); ok && !k.Curve.IsOnCurve(k.X, k.Y) {
			t.Fatal("accepted a point off the curve")
		}
	})
}

// firstExplicitCert returns a master-list certificate that crypto/x509 refuses
// because of its explicit EC parameters, so the package's own parser runs.
func firstExplicitCert(t *testing.T) *Certificate {
	var ders [][]byte
	findCertificates(readTestdata(t, "DE_ML_2026-05-28.ml"), &ders)
	for _, der := range ders {
		c, err := ParseCertificate(der)
		if err == nil && c.X509 == nil {
			if k, ok := c.PublicKey.(*ECPublicKey); ok && k.Explicit && CheckSignature(c, c) == nil {
				return c
			}
		}
	}
	t.Fatal("no explicit-parameter certificate in the list")
	return nil
}

func rebuild(tbs []byte, alg asn1.ObjectIdentifier, sig []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(alg) })
		b.AddASN1BitString(sig)
	})
	return b.BytesOrPanic()
}

func TestParseCertificateRejects(t *testing.T) {
	c := firstExplicitCert(t)
	if c.SubjectKeyID == nil || !c.IsCA || c.NotAfter.Before(c.NotBefore) || c.Subject.String() == "" {
		t.Errorf("own parser lost fields: %+v", c)
	}
	otherAlg := asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	if c.SignatureAlgorithm.Algorithm.Equal(otherAlg) {
		otherAlg = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	}
	cases := []struct {
		name string
		der  []byte
	}{
		{"empty", nil},
		{"truncated", c.Raw[:len(c.Raw)-1]},
		{"trailing byte", append(append([]byte{}, c.Raw...), 0)},
		{"outer algorithm differs from signed one", rebuild(c.RawTBSCertificate, otherAlg, c.Signature)},
		{"tbs cut short", rebuild(c.RawTBSCertificate[:len(c.RawTBSCertificate)/2], c.SignatureAlgorithm.Algorithm, c.Signature)},
	}
	for _, tc := range cases {
		if _, err := ParseCertificate(tc.der); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}
