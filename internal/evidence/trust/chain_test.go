package trust

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"
)

func TestChainKeyUsage(t *testing.T) {
	oidKU := asn1.ObjectIdentifier{2, 5, 29, 15}
	emptyKU := pkix.Extension{Id: oidKU, Critical: true, Value: []byte{0x03, 0x01, 0x00}}
	cases := []struct {
		name   string
		csca   func(*x509.Certificate)
		dsKU   x509.KeyUsage
		dsExt  []pkix.Extension
		reason string // "" for a chain
		detail string
	}{
		{"ICAO profile", nil, x509.KeyUsageDigitalSignature, nil, "", ""},
		{"DS without keyUsage", nil, 0, nil, "", ""},
		{"DS for certificates only", nil, x509.KeyUsageCertSign, nil, ReasonDSKeyUsage, "digitalSignature"},
		{"DS keyUsage with no bit", nil, 0, []pkix.Extension{emptyKU}, ReasonDSKeyUsage, "digitalSignature"},
		{"CSCA without keyCertSign", func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign },
			x509.KeyUsageDigitalSignature, nil, ReasonDSNotChained, "keyCertSign"},
		{"CSCA not a CA, no keyUsage", func(c *x509.Certificate) { c.KeyUsage, c.IsCA, c.MaxPathLenZero = 0, false, false },
			x509.KeyUsageDigitalSignature, nil, ReasonDSNotChained, "not a CA"},
		// Seen in real lists (TR, IT, LU, PT, CM): keyCertSign decides.
		{"CSCA cA:FALSE with keyCertSign", func(c *x509.Certificate) { c.IsCA, c.MaxPathLenZero = false, false },
			x509.KeyUsageDigitalSignature, nil, "", ""},
		{"CSCA without keyUsage (CN)", func(c *x509.Certificate) { c.KeyUsage = 0 }, x509.KeyUsageDigitalSignature, nil, "", ""},
		{"CSCA without extensions", func(c *x509.Certificate) {
			c.KeyUsage, c.BasicConstraintsValid, c.IsCA, c.MaxPathLenZero = 0, false, false, false
		},
			x509.KeyUsageDigitalSignature, nil, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ca := newCSCA(t, "CSCA", nil, tc.csca)
			ds := ca.newDS(t, 7, tc.dsKU, tc.dsExt...)
			s := NewStore()
			if _, err := s.AddCSCA(ca.cert); err != nil {
				t.Fatal(err)
			}
			got, err := s.Chain(ds, dsTime)
			if tc.reason == "" {
				if err != nil || got != ca.cert {
					t.Fatalf("want a chain, got %v", err)
				}
				return
			}
			if got != nil || !hasReason(err, tc.reason) || !strings.Contains(err.Error(), tc.detail) {
				t.Fatalf("want %s (%s), got %v", tc.reason, tc.detail, err)
			}
		})
	}
}

// Every real CSCA may issue and every real DS may sign; the seven CSCAs
// with cA:FALSE pass on their keyCertSign (see mayIssue).
func TestRealKeyUsage(t *testing.T) {
	s := loadedStore(t)
	caFalse := 0
	for _, e := range s.byHash {
		if why := mayIssue(e.cert); why != "" {
			t.Errorf("real CSCA %q %s", e.cert.Subject, why)
		}
		if e.cert.BasicConstraintsValid && !e.cert.IsCA {
			caFalse++
		}
	}
	t.Logf("%d CSCAs, %d with cA:FALSE and keyCertSign", len(s.byHash), caFalse)
}
