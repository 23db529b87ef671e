package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/admin/admintest"
)

func TestReviewEvidenceCommand(t *testing.T) {
	srv := admintest.New(t)
	vigil := adminCmd(t, srv)
	dir := t.TempDir()
	id := admintest.ReviewID

	code, out, errOut := vigil("review", "evidence", id)
	wantOut(t, "review evidence (list)", code, out, errOut, 0, "EID", admintest.EvidenceDoc, "document-front", "image/jpeg",
		admintest.EvidenceSelfie, "image/png", admintest.EvidenceChipData)

	file := filepath.Join(dir, "doc.jpg")
	code, out, errOut = vigil("review", "evidence", id, admintest.EvidenceDoc, "--out", file)
	wantOut(t, "review evidence --out", code, out, errOut, 0, "wrote "+file, "image/jpeg")
	got, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(got, srv.Evidence[admintest.EvidenceDoc]) {
		t.Fatalf("saved %d bytes (%v), want the stored %d", len(got), err, len(srv.Evidence[admintest.EvidenceDoc]))
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Errorf("saved with mode %v, want 0600", st.Mode().Perm())
	}

	// An existing file is kept unless --force; with it, it is replaced and 0600.
	code, out, errOut = vigil("review", "evidence", id, admintest.EvidenceSelfie, "--out", file)
	wantOut(t, "existing --out", code, out, errOut, 2, "exists; pass --force")
	if b, _ := os.ReadFile(file); !bytes.Equal(b, srv.Evidence[admintest.EvidenceDoc]) {
		t.Fatal("a refused download changed the file")
	}
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = vigil("review", "evidence", "--force", "--out", file, id, admintest.EvidenceSelfie)
	wantOut(t, "--force", code, out, errOut, 0, "image/png")
	if b, _ := os.ReadFile(file); !bytes.Equal(b, srv.Evidence[admintest.EvidenceSelfie]) {
		t.Fatal("--force did not replace the file")
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Errorf("replaced with mode %v, want 0600", st.Mode().Perm())
	}

	// --out - writes the bytes to stdout when it is not a terminal (here a buffer).
	code, out, errOut = vigil("review", "evidence", id, admintest.EvidenceSelfie, "--out", "-")
	if code != 0 || out != string(srv.Evidence[admintest.EvidenceSelfie]) {
		t.Fatalf("--out -: exit %d, %d bytes on stdout, want the stored %d\n%s", code, len(out), len(srv.Evidence[admintest.EvidenceSelfie]), errOut)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"review", "evidence", id, admintest.EvidenceDoc}, 2, "--out FILE, or --out -"},
		{[]string{"review", "evidence"}, 2, "name one verification ID"},
		{[]string{"review", "evidence", id, "--out", filepath.Join(dir, "x")}, 2, "--out needs an evidence ID"},
		{[]string{"review", "evidence", id, admintest.EvidenceDone, "--out", filepath.Join(dir, "other.jpg")}, 1, "HTTP 404"},
		{[]string{"review", "evidence", id, admintest.EvidenceChipData, "--out", filepath.Join(dir, "chip.json")}, 1, "HTTP 415"},
	} {
		code, out, errOut := vigil(tc.args...)
		wantOut(t, strings.Join(tc.args, " "), code, out, errOut, tc.code, tc.want)
	}
	for _, name := range []string{"x", "other.jpg", "chip.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("a refused download left %s", name)
		}
	}
}

// TestReviewEvidenceNotToTerminal: image bytes are never written to a
// terminal (a character device; /dev/null stands in for one here).
func TestReviewEvidenceNotToTerminal(t *testing.T) {
	tty, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var errOut bytes.Buffer
	err = reviewEvidence(t.Context(), []string{admintest.ReviewID, admintest.EvidenceDoc, "--out", "-",
		"--server", "http://127.0.0.1:1", "--token-file", os.DevNull}, tty, &errOut)
	if err == nil || !strings.Contains(err.Error(), "stdout is a terminal") {
		t.Fatalf("got %v, want a refusal to write to a terminal", err)
	}
	if writesToTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is taken for a terminal")
	}
}
