package auditfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
)

// lines is what a forward reader sees: complete lines, the partial last
// one left out, over-long ones skipped.
func lines(data []byte) [][]byte {
	var out [][]byte
	i := bytes.LastIndexByte(data, '\n')
	if i < 0 {
		return nil
	}
	for l := range bytes.SplitSeq(data[:i], []byte("\n")) {
		if len(l) > 0 && len(l) <= maxLine {
			out = append(out, l)
		}
	}
	return out
}

func readBack(t testing.TB, data []byte, chunk int) [][]byte {
	var got [][]byte
	if _, err := backwards(bytes.NewReader(data), int64(len(data)), 1<<40, chunk, func(l []byte) bool {
		got = append(got, bytes.Clone(l))
		return true
	}); err != nil {
		t.Fatal(err)
	}
	slices.Reverse(got)
	return got
}

func TestBackwards(t *testing.T) {
	for _, tc := range []string{"", "\n", "a", "a\n", "a\nb", "a\nb\n", "\n\na\n\nbb\nccc\npartial", strings.Repeat("x", maxLine+1) + "\nok\n"} {
		for _, chunk := range []int{1, 2, 3, 7, 64, 1 << 20} {
			if len(tc) > maxLine && chunk < 64 {
				continue // quadratic in the line's length, and the same path as 64
			}
			want, got := lines([]byte(tc)), readBack(t, []byte(tc), chunk)
			if fmt.Sprintf("%q", want) != fmt.Sprintf("%q", got) {
				t.Errorf("%.40q chunk %d: got %.80q, want %.80q", tc, chunk, got, want)
			}
		}
	}
}

func FuzzBackwards(f *testing.F) {
	for _, s := range []string{"", "a\nb\n", "\n\na\n\nbb\nccc\npartial", `{"time":"2026-01-01T00:00:00Z","user":"u"}` + "\n"} {
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk int) {
		chunk = 1 + abs(chunk)%100
		want, got := lines(data), readBack(t, data, chunk)
		if fmt.Sprintf("%q", want) != fmt.Sprintf("%q", got) {
			t.Fatalf("chunk %d: got %q, want %q", chunk, got, want)
		}
		Match(data, admin.AuditQuery{User: "u", Since: time.Unix(1, 0)})
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// TestSearchAcrossChunks reads a file larger than one chunk, newest first,
// stops at since, and reports truncation when the scan bound is reached.
func TestSearchAcrossChunks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	var buf bytes.Buffer
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 6000 // ~0.7 MiB: several chunks
	for i := range n {
		b, _ := json.Marshal(map[string]any{"time": t0.Add(time.Duration(i) * time.Second), "kind": "decision",
			"user": fmt.Sprintf("u%d", i%3), "app": "wiki", "decision": "allow", "path": strings.Repeat("p", 60), "request_id": i})
		buf.Write(append(b, '\n'))
	}
	buf.WriteString(`{"time":"2026-01-02T00:00:00Z","user":"u0"`) // a write in progress
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Searcher{Path: path}
	recs, trunc, err := s.SearchAudit(t.Context(), admin.AuditQuery{User: "u1", Limit: 1000})
	if err != nil || len(recs) != 1000 || trunc || !strings.Contains(string(recs[0]), fmt.Sprintf(`"request_id":%d`, n-2)) {
		t.Fatalf("%d records, truncated %v, err %v, first %s", len(recs), trunc, err, recs[0])
	}
	recs, trunc, _ = s.SearchAudit(t.Context(), admin.AuditQuery{User: "u0", Since: t0.Add((n - 30) * time.Second), Limit: 1000})
	if len(recs) != 10 || trunc {
		t.Fatalf("since: %d records, truncated %v", len(recs), trunc)
	}
	s.MaxScan = 300 << 10
	recs, trunc, _ = s.SearchAudit(t.Context(), admin.AuditQuery{Decision: "deny", Limit: 10})
	if len(recs) != 0 || !trunc {
		t.Fatalf("bounded scan: %d records, truncated %v", len(recs), trunc)
	}
	missing := &Searcher{Path: filepath.Join(t.TempDir(), "none")}
	if recs, _, err := missing.SearchAudit(t.Context(), admin.AuditQuery{Limit: 1}); err != nil || len(recs) != 0 {
		t.Fatalf("missing file: %v %v", recs, err)
	}
}
