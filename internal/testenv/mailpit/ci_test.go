package mailpit

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMissingBinary runs this test binary again with a mailpit that cannot
// be found: it must skip outside CI and fail under CI=true.
func TestMissingBinary(t *testing.T) {
	if os.Getenv("MAILPIT_CHILD") == "1" {
		Start(t)
		t.Fatal("Start returned without mailpit")
		return
	}
	for _, tc := range []struct {
		ci       string
		wantFail bool
		wantText string
	}{
		{"", false, "mailpit: not available, skipping"},
		{"true", true, "mailpit: required when CI=true"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissingBinary$", "-test.v")
		cmd.Env = append(os.Environ(), "MAILPIT_CHILD=1", "MAILPIT_BIN=/nonexistent/mailpit", "CI="+tc.ci)
		out, err := cmd.CombinedOutput()
		if (err != nil) != tc.wantFail || !strings.Contains(string(out), tc.wantText) {
			t.Errorf("CI=%q: err %v, output:\n%s", tc.ci, err, out)
		}
	}
}
