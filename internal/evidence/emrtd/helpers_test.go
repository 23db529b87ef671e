package emrtd

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/pki"
	"github.com/vigil-gw/vigil/internal/evidence/trust"
)

const testdata = "../../../../shared/testdata/emrtd"

// testNow is inside every real Document Signer's validity and both master
// list signers' (the lists were signed 2026-05-28 and 2026-07-22).
var testNow = time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)

var countries = []string{"AT", "DE", "FR", "MY", "NZ", "US"}

// bsiGroups are the data groups the BSI 2008 SOD covers; the specimen
// also ships DG4 and DG15, which its SOD does not hash.
var bsiGroups = []int{1, 2, 3, 14}

func readData(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, rel))
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("test data missing: %v", err)
		}
		tb.Skipf("test data missing: %v", err)
	}
	return b
}

// bsiInput is the BSI 2008 specimen read: EF.COM, EF.SOD and the data
// groups its SOD covers, no active authentication.
func bsiInput(tb testing.TB) Input {
	tb.Helper()
	in := Input{COM: readData(tb, "bsi2008/EF_COM.bin"), SOD: readData(tb, "bsi2008/EF_SOD.bin"), DataGroups: map[int][]byte{}}
	for _, n := range bsiGroups {
		in.DataGroups[n] = readData(tb, fmt.Sprintf("bsi2008/Datagroup%d.bin", n))
	}
	return in
}

var masterLists = []struct{ name, ml, anchor string }{
	{"DE", "masterlists/DE_ML_2026-05-28.ml", "masterlists/DE_ROOT_CA_CSCA07.cer"},
	{"NL", "masterlists/NL_ML_2026-07-22.ml", "masterlists/NL_ROOT_CA.cer"},
}

// storeOnce holds the store loaded from both real master lists; importing
// them costs ~50 ms, so tests and fuzz iterations share one (Store is safe
// for concurrent reads).
var storeOnce struct {
	sync.Once
	s   *trust.Store
	err error
}

func loadStore(tb testing.TB) *trust.Store {
	tb.Helper()
	storeOnce.Do(func() {
		s := trust.NewStore()
		for _, l := range masterLists {
			ml, err := os.ReadFile(filepath.Join(testdata, l.ml))
			if err != nil {
				storeOnce.err = err
				return
			}
			der, err := os.ReadFile(filepath.Join(testdata, l.anchor))
			if err != nil {
				storeOnce.err = err
				return
			}
			anchor, err := pki.ParseCertificate(der)
			if err != nil {
				storeOnce.err = err
				return
			}
			if _, err := s.ImportMasterList(ml, anchor, testNow); err != nil {
				storeOnce.err = fmt.Errorf("%s: %w", l.name, err)
				return
			}
		}
		storeOnce.s = s
	})
	if storeOnce.err != nil {
		readData(tb, masterLists[0].ml) // skips or fails when the data is absent
		tb.Fatalf("loading master lists: %v", storeOnce.err)
	}
	return storeOnce.s
}

func checkNames(r *Report) []string {
	var out []string
	for _, c := range r.Checks {
		out = append(out, c.Name)
	}
	return out
}

func hasReason(r *Report, reason string) bool { return slices.Contains(r.Reasons, reason) }
