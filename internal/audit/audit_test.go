package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestRecordsAreJSONLines(t *testing.T) {
	var out bytes.Buffer
	l := New(&out)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.Write(&Record{Time: time.Unix(1, 0).UTC(), Kind: "decision", App: "wiki", Decision: "allow", Reasons: []string{"allowed-by:eng"}})
		}()
	}
	wg.Wait()
	if out.Len() != 0 {
		t.Fatal("records reached the writer before Flush: the buffer is not in use")
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&out)
	n := 0
	for sc.Scan() {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d is not JSON: %v", n, err)
		}
		if r.App != "wiki" || r.Reasons[0] != "allowed-by:eng" {
			t.Fatalf("bad record %+v", r)
		}
		n++
	}
	if n != 50 {
		t.Fatalf("got %d records, want 50", n)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestFlushReportsWriteError(t *testing.T) {
	l := New(failWriter{})
	l.Write(&Record{Kind: "decision"})
	if err := l.Flush(); err == nil {
		t.Fatal("Flush hid a write error")
	}
	var nilLog *Log
	nilLog.Write(&Record{})
	if nilLog.Flush() != nil {
		t.Fatal("nil log should discard silently")
	}
}

// TestEncodingMatchesEncodingJSON checks the hand-written encoder against
// encoding/json, including hostile strings.
func TestEncodingMatchesEncodingJSON(t *testing.T) {
	recs := []Record{
		{Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Kind: "decision", Decision: "deny"},
		{Time: time.Unix(1700000000, 0), Kind: "decision", RequestID: "r-1", App: "wiki", User: "corp:abc",
			Email: "a@example.com", Session: "s", Decision: "allow", Rule: "staff", Reasons: []string{"allowed-by:staff", "x"}, Actor: "admin:ops",
			IP: "2001:db8::1", Method: "GET", Host: "wiki.example.com", Path: "/a\"b\\c\n\t\x01<script>&\u2028é\xff", Status: 200},
		{Time: time.Unix(1700000000, 0), Kind: "review", Decision: "evidence-viewed", Reasons: []string{"document-front"},
			Actor: "console:alice@example.com", Verification: "vr-1\"<x>"},
	}
	for _, r := range recs {
		want, err := json.Marshal(&r)
		if err != nil {
			t.Fatal(err)
		}
		got := appendRecord(nil, &r)
		if string(got) != string(want)+"\n" {
			t.Errorf("encoding differs:\n got %s\nwant %s", got, want)
		}
	}
}

func FuzzEncode(f *testing.F) {
	f.Add("GET", "/x\"y", "a@b", "allowed-by:r")
	f.Add("\xff\xfe", "\u2029", "<>&", "\x00")
	f.Fuzz(func(t *testing.T, method, path, email, reason string) {
		r := Record{Time: time.Unix(1, 0).UTC(), Kind: "decision", Method: method, Path: path, Email: email, Decision: "deny", Reasons: []string{reason}, Verification: reason}
		want, _ := json.Marshal(&r)
		if got := appendRecord(nil, &r); string(got) != string(want)+"\n" {
			t.Fatalf("encoding differs:\n got %q\nwant %q", got, want)
		}
	})
}
