package trust

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/chip"
	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

const testdata = "../../../../shared/testdata/emrtd"

// importTime is inside both list signers' validity; the lists were signed
// 2026-05-28 and 2026-07-22.
var importTime = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)

func readData(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, rel))
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("test data missing: %v", err)
		}
		tb.Skipf("test data missing: %v", err)
	}
	return b
}

func readCert(tb testing.TB, rel string) *pki.Certificate {
	tb.Helper()
	c, err := pki.ParseCertificate(readData(tb, rel))
	if err != nil {
		tb.Fatalf("%s: %v", rel, err)
	}
	return c
}

var lists = []struct{ name, ml, anchor string }{
	{"DE", "masterlists/DE_ML_2026-05-28.ml", "masterlists/DE_ROOT_CA_CSCA07.cer"},
	{"NL", "masterlists/NL_ML_2026-07-22.ml", "masterlists/NL_ROOT_CA.cer"},
}

func loadedStore(tb testing.TB) *Store {
	tb.Helper()
	s := NewStore()
	for _, l := range lists {
		n, err := s.ImportMasterList(readData(tb, l.ml), readCert(tb, l.anchor), importTime)
		if err != nil {
			tb.Fatalf("%s: %v", l.name, err)
		}
		tb.Logf("%s: %d CSCAs added", l.name, n)
	}
	return s
}

func TestImportMasterLists(t *testing.T) {
	s := loadedStore(t)
	all := s.List()
	countries := map[string]int{}
	both := 0
	for _, c := range all {
		countries[c.Country]++
		if len(c.Sources) == 2 {
			both++
		}
		if c.KeyType == "" || c.Subject == "" || !c.NotAfter.After(c.NotBefore) {
			t.Errorf("incomplete listing %+v", c)
		}
	}
	t.Logf("%d distinct CSCAs, %d countries, %d in both lists", len(all), len(countries), both)
	if len(all) < 100 || len(countries) < 50 {
		t.Fatalf("too few CSCAs: %d in %d countries", len(all), len(countries))
	}
	// Importing again adds nothing.
	n, err := s.ImportMasterList(readData(t, lists[0].ml), readCert(t, lists[0].anchor), importTime)
	if err != nil || n != 0 {
		t.Fatalf("re-import: added %d, err %v", n, err)
	}
}

func TestImportRefused(t *testing.T) {
	de, nl := readData(t, lists[0].ml), readData(t, lists[1].ml)
	deAnchor, nlAnchor := readCert(t, lists[0].anchor), readCert(t, lists[1].anchor)
	flip := func(b []byte, at int) []byte {
		c := append([]byte{}, b...)
		c[at] ^= 0x01
		return c
	}
	cases := []struct {
		name   string
		ml     []byte
		anchor *pki.Certificate
		now    time.Time
	}{
		{"wrong anchor DE", de, nlAnchor, importTime},
		{"wrong anchor NL", nl, deAnchor, importTime},
		{"nil anchor", de, nil, importTime},
		{"bit in a listed CSCA", flip(de, 5000), deAnchor, importTime},
		{"bit in the CMS signature", flip(de, len(de)-10), deAnchor, importTime},
		{"bit in the signer certificate", flip(nl, 621900), nlAnchor, importTime},
		{"bit in NL content", flip(nl, 300000), nlAnchor, importTime},
		{"signer expired", de, deAnchor, time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"truncated", de[:len(de)-1], deAnchor, importTime},
		{"empty", nil, deAnchor, importTime},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStore()
			n, err := s.ImportMasterList(tc.ml, tc.anchor, tc.now)
			var te *Error
			if !errors.As(err, &te) || te.Reason != ReasonMasterListRejected {
				t.Fatalf("want %s, got added %d err %v", ReasonMasterListRejected, n, err)
			}
			if n != 0 || len(s.List()) != 0 {
				t.Fatalf("refused list still added %d / %d", n, len(s.List()))
			}
			t.Log(err)
		})
	}
}

func TestChainRealSODs(t *testing.T) {
	s := loadedStore(t)
	byHash := map[string]CSCA{}
	for _, c := range s.List() {
		byHash[c.SHA256] = c
	}
	// Link certificates can share a subject and notBefore with the
	// self-signed CSCA, so identify the returned certificate by its DER.
	fingerprint := func(c *pki.Certificate) string {
		h := sha256.Sum256(c.Raw)
		return hex.EncodeToString(h[:])
	}
	for _, cc := range []string{"AT", "DE", "FR", "MY", "NZ", "US"} {
		t.Run(cc, func(t *testing.T) {
			sod, err := chip.ParseSOD(readData(t, "sod/"+cc+"_EF_SOD.bin"))
			if err != nil || sod.VerifySignature() != nil {
				t.Fatalf("SOD: %v", err)
			}
			ds := sod.DocumentSigner
			csca, err := s.Chain(ds, ds.NotBefore.Add(24*time.Hour))
			if err != nil {
				t.Fatalf("DS %q: %v", ds.Subject, err)
			}
			e := byHash[fingerprint(csca)]
			_, nowErr := s.Chain(ds, time.Now())
			t.Logf("DS %q (%s..%s) -> CSCA %q via %v; today: %v", ds.Subject,
				ds.NotBefore.Format(time.DateOnly), ds.NotAfter.Format(time.DateOnly), csca.Subject, e.Sources, nowErr)
			if _, err := s.Chain(ds, ds.NotAfter.Add(time.Hour)); !hasReason(err, ReasonDSExpired) {
				t.Fatalf("after notAfter: want %s, got %v", ReasonDSExpired, err)
			}
			if _, err := s.Chain(ds, ds.NotBefore.Add(-time.Hour)); !hasReason(err, ReasonDSExpired) {
				t.Fatalf("before notBefore: want %s, got %v", ReasonDSExpired, err)
			}
		})
	}
}

func hasReason(err error, reason string) bool {
	var te *Error
	return errors.As(err, &te) && te.Reason == reason
}

func TestChainFailures(t *testing.T) {
	s := loadedStore(t)
	bsi, err := chip.ParseSOD(readData(t, "bsi2008/EF_SOD.bin"))
	if err != nil {
		t.Fatal(err)
	}
	de, err := chip.ParseSOD(readData(t, "sod/DE_EF_SOD.bin"))
	if err != nil {
		t.Fatal(err)
	}
	// A DS whose issuer is known but whose signature is damaged.
	forged := *de.DocumentSigner
	forged.Signature = append([]byte{}, forged.Signature...)
	forged.Signature[len(forged.Signature)/2] ^= 0x01
	cases := []struct {
		name   string
		ds     *pki.Certificate
		reason string
	}{
		{"BSI 2008 test DS", bsi.DocumentSigner, ReasonCSCAUnknown},
		{"nil DS", nil, ReasonCSCAUnknown},
		{"forged DE DS", &forged, ReasonDSNotChained},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			at := time.Now()
			if tc.ds != nil {
				at = tc.ds.NotBefore.Add(24 * time.Hour)
			}
			csca, err := s.Chain(tc.ds, at)
			if csca != nil || !hasReason(err, tc.reason) {
				t.Fatalf("want %s and no CSCA, got %v, %v", tc.reason, csca, err)
			}
		})
	}
	// Empty store: every DS is unknown.
	if _, err := NewStore().Chain(de.DocumentSigner, time.Now()); !hasReason(err, ReasonCSCAUnknown) {
		t.Fatalf("empty store: %v", err)
	}
}

func TestAddCSCAAndConcurrentReads(t *testing.T) {
	s := NewStore()
	anchor := readCert(t, lists[0].anchor)
	if added, err := s.AddCSCA(anchor); !added || err != nil {
		t.Fatalf("AddCSCA: %v %v", added, err)
	}
	if added, _ := s.AddCSCA(anchor); added {
		t.Fatal("duplicate AddCSCA reported new")
	}
	if _, err := s.AddCSCA(nil); err == nil {
		t.Fatal("nil certificate accepted")
	}
	de, err := chip.ParseSOD(readData(t, "sod/DE_EF_SOD.bin"))
	if err != nil {
		t.Fatal(err)
	}
	ml := readData(t, lists[0].ml)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := s.ImportMasterList(ml, anchor, importTime); err != nil {
			t.Error(err)
		}
	}()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				_, _ = s.Chain(de.DocumentSigner, de.DocumentSigner.NotBefore.Add(24*time.Hour))
				_ = s.List()
			}
		}()
	}
	wg.Wait()
	if _, err := s.Chain(de.DocumentSigner, de.DocumentSigner.NotBefore.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkImportMasterList(b *testing.B) {
	for _, l := range lists {
		ml, anchor := readData(b, l.ml), readCert(b, l.anchor)
		b.Run(l.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(ml)))
			for b.Loop() {
				if _, err := NewStore().ImportMasterList(ml, anchor, importTime); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkChain is dominated by the DS signature check (brainpool with
// explicit parameters); "with CRL" adds a revocation lookup for the
// issuing key.
func BenchmarkChain(b *testing.B) {
	s := loadedStore(b)
	sod, err := chip.ParseSOD(readData(b, "sod/DE_EF_SOD.bin"))
	if err != nil {
		b.Fatal(err)
	}
	ds := sod.DocumentSigner
	run := func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Chain(ds, ds.NotBefore.Add(24*time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("no CRL", run)
	ca := newCSCA(b, "CSCA", nil, nil)
	s.AddCSCA(ca.cert)
	if err := s.AddCRL(ca.newCRL(b, crlTime, []int64{1, 2, 3}), crlTime); err != nil {
		b.Fatal(err)
	}
	b.Run("with CRL", run)
}

// BenchmarkChainChecks times what Chain does after the signature check.
func BenchmarkChainChecks(b *testing.B) {
	s := NewStore()
	ca := newCSCA(b, "CSCA", nil, nil)
	s.AddCSCA(ca.cert)
	ds := ca.newDS(b, 100, 0)
	if err := s.AddCRL(ca.newCRL(b, crlTime, []int64{1, 2, 3}), crlTime); err != nil {
		b.Fatal(err)
	}
	id := idOf(ca.cert)
	b.ReportAllocs()
	for b.Loop() {
		if mayIssue(ca.cert) != "" || s.isRevoked(id, ds) {
			b.Fatal("check failed")
		}
	}
}

func FuzzImportMasterList(f *testing.F) {
	for _, l := range lists {
		f.Add(readData(f, l.ml))
	}
	f.Add([]byte{0x30, 0x00})
	anchor := readCert(f, lists[0].anchor)
	f.Fuzz(func(t *testing.T, ml []byte) {
		s := NewStore()
		n, err := s.ImportMasterList(ml, anchor, importTime)
		if err != nil && (n != 0 || len(s.List()) != 0) {
			t.Fatalf("error %v but %d added", err, n)
		}
	})
}
