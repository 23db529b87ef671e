package facenet

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// parityTolerance is the bound on the L2 distance between a Go
// descriptor and face-api.js's for the same chip.
const parityTolerance = 0.01

var (
	embeddedOnce sync.Once
	embeddedNet  *Net
	embeddedErr  error
)

// testNet loads the embedded weights once per test binary.
func testNet(t testing.TB) *Net {
	t.Helper()
	embeddedOnce.Do(func() { embeddedNet, embeddedErr = LoadEmbedded() })
	if embeddedErr != nil {
		t.Fatal(embeddedErr)
	}
	return embeddedNet
}

var (
	chipDescMu sync.Mutex
	chipDesc   = map[string][Dimensions]float32{}
)

// chipDescriptor computes (once per test binary: the race detector makes a
// descriptor take seconds) the Go descriptor of a committed chip.
func chipDescriptor(t testing.TB, name string) [Dimensions]float32 {
	t.Helper()
	chipDescMu.Lock()
	defer chipDescMu.Unlock()
	if d, ok := chipDesc[name]; ok {
		return d
	}
	d, err := testNet(t).Descriptor(readChip(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	chipDesc[name] = d
	return d
}

// reference reads testdata/reference.json, written by
// scripts/face-reference/reference.mjs with the original library.
func reference(t *testing.T) map[string][Dimensions]float32 {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref map[string][]float64
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	out := make(map[string][Dimensions]float32, len(ref))
	for name, v := range ref {
		if len(v) != Dimensions {
			t.Fatalf("reference %s has %d values", name, len(v))
		}
		var d [Dimensions]float32
		for i, x := range v {
			d[i] = float32(x)
		}
		out[name] = d
	}
	return out
}

// TestParity: every chip's Go descriptor is within 0.01 (L2) of the one
// face-api.js computed, and every committed chip has a reference.
func TestParity(t *testing.T) {
	ref := reference(t)
	chips, err := filepath.Glob(filepath.Join("testdata", "chips", "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	if len(chips) != len(ref) || len(chips) < len(chipSources) {
		t.Fatalf("%d chips, %d references, %d sources: regenerate reference.json", len(chips), len(ref), len(chipSources))
	}
	var sum, worst float64
	for _, path := range chips {
		name := filepath.Base(path)
		want, ok := ref[name]
		if !ok {
			t.Errorf("%s: no reference descriptor", name)
			continue
		}
		got := chipDescriptor(t, name)
		d := float64(Distance(got, want))
		sum += d
		worst = max(worst, d)
		if d > parityTolerance || math.IsNaN(d) {
			t.Errorf("%s: L2 distance to reference %.6f, want <= %v", name, d, parityTolerance)
		}
	}
	t.Logf("parity over %d chips: max L2 %.2e, mean L2 %.2e", len(chips), worst, sum/float64(len(chips)))
}

// TestSameVersusDifferent: over the shared test faces, pairs of the same
// person are on average closer than pairs of different people, and the
// distance matrix is logged with -v.
func TestSameVersusDifferent(t *testing.T) {
	var names []string
	var descs [][Dimensions]float32
	for _, cs := range chipSources {
		if strings.HasPrefix(cs.chip, "group_") {
			continue
		}
		d := chipDescriptor(t, cs.chip)
		names = append(names, strings.TrimSuffix(cs.chip, ".png"))
		descs = append(descs, d)
	}
	person := func(n string) string { return n[:strings.IndexByte(n, '_')] }
	var same, diff []float64
	var b strings.Builder
	b.WriteString("distance matrix:\n           ")
	for _, n := range names {
		fmt.Fprintf(&b, " %-4s", n[:1]+n[len(n)-1:])
	}
	for i := range names {
		b.WriteString("\n" + pad(names[i], 10))
		for j := range names {
			d := float64(Distance(descs[i], descs[j]))
			fmt.Fprintf(&b, " %.2f", d)
			if j <= i {
				continue
			}
			if person(names[i]) == person(names[j]) {
				same = append(same, d)
			} else {
				diff = append(diff, d)
			}
		}
	}
	t.Log(b.String())
	ms, md := mean(same), mean(diff)
	sort.Float64s(same)
	sort.Float64s(diff)
	t.Logf("same person: %d pairs, mean %.3f, max %.3f; different: %d pairs, mean %.3f, min %.3f",
		len(same), ms, slices.Max(same), len(diff), md, slices.Min(diff))
	if !(ms < md) {
		t.Errorf("same-person mean distance %.3f not below different-person mean %.3f", ms, md)
	}
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func pad(s string, n int) string { return s + strings.Repeat(" ", max(n-len(s), 0)) }
