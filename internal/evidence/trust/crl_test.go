package trust

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

var crlTime = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

func TestCRLRevokes(t *testing.T) {
	ca := newCSCA(t, "CSCA", nil, nil)
	revoked, kept := ca.newDS(t, 100, x509.KeyUsageDigitalSignature), ca.newDS(t, 101, x509.KeyUsageDigitalSignature)
	// Same name, another key, and a DS with the revoked serial: the CRL of
	// the first key must not touch it.
	other := newCSCA(t, "CSCA", nil, nil)
	twin := other.newDS(t, 100, x509.KeyUsageDigitalSignature)
	// A link-style certificate: same name and key as ca, another cert.
	link := newCSCA(t, "CSCA", ca.key, func(c *x509.Certificate) { c.SerialNumber.SetInt64(2) })

	s := NewStore()
	s.AddCSCA(ca.cert)
	s.AddCSCA(other.cert)
	if _, err := s.Chain(revoked, dsTime); err != nil {
		t.Fatalf("before the CRL: %v", err)
	}
	// Stale: loaded a year after its nextUpdate, it still counts.
	if err := s.AddCRL(ca.newCRL(t, crlTime, []int64{100, 555}), crlTime.AddDate(1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	// Only the link certificate vouches for ca's key here.
	ls := NewStore()
	ls.AddCSCA(link.cert)
	if err := ls.AddCRL(ca.newCRL(t, crlTime, []int64{100}), crlTime); err != nil {
		t.Fatalf("CRL under the link certificate: %v", err)
	}
	cases := []struct {
		name   string
		s      *Store
		ds     *pki.Certificate
		at     time.Time
		reason string // "" for a chain
	}{
		{"listed serial", s, revoked, dsTime, ReasonDSRevoked},
		{"listed and expired: revoked comes first", s, revoked, dsTime.AddDate(10, 0, 0), ReasonDSRevoked},
		{"unlisted serial", s, kept, dsTime, ""},
		{"same serial under another key", s, twin, dsTime, ""},
		{"via the link certificate", ls, revoked, dsTime, ReasonDSRevoked},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			csca, err := tc.s.Chain(tc.ds, tc.at)
			if tc.reason == "" {
				if err != nil || csca == nil {
					t.Fatalf("want a chain, got %v", err)
				}
				return
			}
			if csca != nil || !hasReason(err, tc.reason) {
				t.Fatalf("want %s, got %v", tc.reason, err)
			}
		})
	}
	// Revocations accumulate: a later, empty CRL does not unrevoke.
	newer := crlTime.AddDate(0, 1, 0)
	if err := s.AddCRL(ca.newCRL(t, newer, nil), newer); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Chain(revoked, dsTime); !hasReason(err, ReasonDSRevoked) {
		t.Fatalf("after an empty CRL: %v", err)
	}
	listed := 0
	for _, c := range s.List() {
		if c.Revoked > 0 {
			listed++
			if c.Revoked != 2 || !c.CRLThisUpdate.Equal(newer) || !c.CRLNextUpdate.Equal(newer.AddDate(0, 3, 0)) {
				t.Errorf("listing %+v: want 2 revoked, newest CRL %v", c, newer)
			}
		}
	}
	if listed != 1 {
		t.Fatalf("%d CSCAs list revocations, want 1", listed)
	}
}

func TestCRLRefused(t *testing.T) {
	ca := newCSCA(t, "CSCA", nil, nil)
	impostor := newCSCA(t, "CSCA", nil, nil) // same name, untrusted key
	stranger := newCSCA(t, "Elsewhere", nil, nil)
	// The key is trusted, but through a certificate without cRLSign.
	noCRLSign := newCSCA(t, "Narrow", nil, func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageCertSign })
	good := ca.newCRL(t, crlTime, []int64{100})
	serialAt := strings.Index(string(good), "\x02\x01\x64") // INTEGER 100
	if serialAt < 0 {
		t.Fatal("serial 100 not found in the CRL")
	}
	critical := pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 27}, Critical: true, Value: []byte{0x02, 0x01, 0x01}}
	cases := []struct {
		name string
		der  []byte
		now  time.Time
	}{
		{"signed by an untrusted key of the trusted name", impostor.newCRL(t, crlTime, []int64{100}), crlTime},
		{"issuer not trusted at all", stranger.newCRL(t, crlTime, []int64{100}), crlTime},
		{"trusted certificate lacks cRLSign", noCRLSign.newCRL(t, crlTime, []int64{100}), crlTime},
		{"bit in the signature", flipped(good, len(good)-3), crlTime},
		{"bit in the revoked serial", flipped(good, serialAt+2), crlTime},
		{"issued after now", good, crlTime.Add(-time.Minute)},
		{"delta CRL (critical, unhandled)", ca.newCRL(t, crlTime, []int64{100}, critical), crlTime},
		{"truncated", good[:len(good)-1], crlTime},
		{"a certificate", ca.cert.Raw, crlTime},
		{"empty", nil, crlTime},
		{"oversize", make([]byte, maxCRLSize+1), crlTime},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStore()
			s.AddCSCA(ca.cert)
			s.AddCSCA(noCRLSign.cert)
			err := s.AddCRL(tc.der, tc.now)
			if !hasReason(err, ReasonCRLRejected) {
				t.Fatalf("want %s, got %v", ReasonCRLRejected, err)
			}
			if len(s.revoked) != 0 {
				t.Fatal("refused CRL left revocations")
			}
			t.Log(err)
		})
	}
}

func TestLoadFilesCRL(t *testing.T) {
	ca := newCSCA(t, "CSCA", nil, nil)
	orphan := newCSCA(t, "Orphan", nil, nil)
	ds := ca.newDS(t, 100, x509.KeyUsageDigitalSignature)
	ds200 := ca.newDS(t, 200, x509.KeyUsageDigitalSignature)
	// A bundle whose second CRL is refused applies neither.
	bundle := append(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: ca.newCRL(t, crlTime, []int64{200})}),
		pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: orphan.newCRL(t, crlTime, nil)})...)
	pemCRL := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: ca.newCRL(t, crlTime, []int64{100})})
	// CRLs sort first by name; they must still load after the CSCA.
	dir := trustDir(t, map[string][]byte{
		"a.crl":      ca.newCRL(t, crlTime.AddDate(0, 1, 0), []int64{7}),
		"b.pem":      pemCRL,
		"c.crl":      orphan.newCRL(t, crlTime, nil),
		"bundle.pem": bundle,
		"csca.cer":   ca.cert.Raw,
		"other.pem":  append(pemCRL, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})...),
	})
	s := NewStore()
	sum, err := s.LoadFiles([]string{dir}, crlTime.AddDate(1, 0, 0))
	got := fileErrors(err)
	if len(got) != 3 || got["c.crl"].Reason != ReasonCRLRejected || got["other.pem"].Reason != ReasonFileRejected ||
		got["bundle.pem"].Reason != ReasonCRLRejected {
		t.Fatalf("want c.crl, bundle.pem and other.pem refused, got %v", err)
	}
	if _, err := s.Chain(ds200, dsTime); err != nil {
		t.Fatalf("half of a refused bundle applied: %v", err)
	}
	if sum.CSCAs != 1 || sum.CRLs != 2 || len(sum.Files) != 3 {
		t.Fatalf("summary %+v", sum)
	}
	for _, f := range sum.Files {
		if f.Country != "UT" {
			t.Errorf("%s: country %q", filepath.Base(f.Path), f.Country)
		}
	}
	if _, err := s.Chain(ds, dsTime); !hasReason(err, ReasonDSRevoked) {
		t.Fatalf("want %s, got %v", ReasonDSRevoked, err)
	}
	// Without its CSCA a CRL directory is refused file by file.
	os.Remove(filepath.Join(dir, "csca.cer"))
	if _, err := NewStore().LoadFiles([]string{dir}, crlTime); len(fileErrors(err)) != 5 {
		t.Fatalf("want 5 refusals, got %v", err)
	}
}

func FuzzAddCRL(f *testing.F) {
	ca := newCSCA(f, "CSCA", nil, nil)
	f.Add(ca.newCRL(f, crlTime, []int64{100, 1 << 40}))
	f.Add(ca.newCRL(f, crlTime, nil))
	f.Add(ca.newCRL(f, crlTime, []int64{1}, pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 28}, Critical: true, Value: []byte{0x30, 0x00}}))
	f.Add(ca.cert.Raw)
	f.Fuzz(func(t *testing.T, der []byte) {
		s := NewStore()
		s.AddCSCA(ca.cert)
		err := s.AddCRL(der, crlTime)
		if err != nil {
			if len(s.revoked) != 0 {
				t.Fatalf("error %v but revocations kept", err)
			}
			return
		}
		crl, perr := pki.ParseCRL(der)
		if perr != nil || pki.CheckCRLSignature(crl, ca.cert) != nil {
			t.Fatalf("accepted a CRL that does not parse or verify: %v", perr)
		}
	})
}
