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
