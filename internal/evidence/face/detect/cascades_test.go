package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// TestCascadeProvenance: the embedded cascades are the files the README
// names, byte for byte, and they unpack.
func TestCascadeProvenance(t *testing.T) {
	readme, err := os.ReadFile("cascade/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"facefinder": faceFinderBin,
		"puploc":     puplocBin,
		"lps/lp84":   lp84Bin,
		"lps/lp93":   lp93Bin,
	} {
		sum := sha256.Sum256(b)
		row := "| `" + name + "` | `" + hex.EncodeToString(sum[:]) + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("cascade/README.md has no row %q", row)
		}
	}
	if _, err := loadCascades(); err != nil {
		t.Fatal(err)
	}
}
