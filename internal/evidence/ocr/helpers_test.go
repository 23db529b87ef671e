package ocr

import (
	"os"
	"testing"
)

// needTesseract fails when CI is set and skips elsewhere when the engine
// cannot run, with the reason.
func needTesseract(t testing.TB) *Reader {
	t.Helper()
	r := &Reader{}
	if err := r.Available(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("tesseract is required in CI: %v", err)
		}
		t.Skipf("tesseract not available: %v", err)
	}
	return r
}

// cer is the character error rate: edit distance over the expected length.
func cer(got, want string) float64 {
	prev := make([]int, len(want)+1)
	cur := make([]int, len(want)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(got); i++ {
		cur[0] = i
		for j := 1; j <= len(want); j++ {
			c := prev[j-1]
			if got[i-1] != want[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return float64(prev[len(want)]) / float64(len(want))
}
