// Package auditfile searches the audit log when it is a file of JSON
// lines (log.audit: a path), for the admin API. It reads the file
// backwards from its end, so the newest records come first and a search
// costs what it reads, never more than a bound. It only reads.
package auditfile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
)

// DefaultMaxScan bounds the bytes one search reads: a search past it says
// it was truncated.
const DefaultMaxScan = 256 << 20

// chunk is how much is read at a time, backwards.
const chunk = 256 << 10

// maxLine bounds one record; a longer line is skipped.
const maxLine = 64 << 10

// Searcher searches one audit file.
type Searcher struct {
	Path    string
	MaxScan int64 // default DefaultMaxScan
	// Flush, when set, writes buffered records out before a search, so that
	// the latest ones are found.
	Flush func() error
}

var _ admin.AuditSearcher = (*Searcher)(nil)

// record is the part of an audit record a query looks at.
type record struct {
	Time     time.Time `json:"time"`
	User     string    `json:"user"`
	App      string    `json:"app"`
	Decision string    `json:"decision"`
}

// Match reports whether one line is a record q selects, and whether the
// search may stop there (it is older than q.Since).
func Match(line []byte, q admin.AuditQuery) (ok, older bool) {
	var r record
	if json.Unmarshal(line, &r) != nil {
		return false, false
	}
	if !q.Since.IsZero() && r.Time.Before(q.Since) {
		return false, true
	}
	if (q.User != "" && r.User != q.User) || (q.App != "" && r.App != q.App) || (q.Decision != "" && r.Decision != q.Decision) {
		return false, false
	}
	return true, false
}

// SearchAudit reads the file from its end: newest first, at most q.Limit.
// Records are in time order, so the first older than q.Since ends it.
func (s *Searcher) SearchAudit(ctx context.Context, q admin.AuditQuery) ([]json.RawMessage, bool, error) {
	if s.Flush != nil {
		_ = s.Flush() // a failing flush is the audit writer's to report
	}
	f, err := os.Open(s.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("audit log: %w", err)
	}
	maxScan := s.MaxScan
	if maxScan <= 0 {
		maxScan = DefaultMaxScan
	}
	var out []json.RawMessage
	done := false
	truncated, err := backwards(f, st.Size(), maxScan, chunk, func(line []byte) bool {
		if err := ctx.Err(); err != nil {
			return false
		}
		ok, older := Match(line, q)
		if older {
			done = true
			return false
		}
		if ok {
			out = append(out, json.RawMessage(bytes.Clone(line)))
		}
		return len(out) < q.Limit
	})
	if err != nil {
		return nil, false, fmt.Errorf("audit log: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if done || len(out) >= q.Limit {
		truncated = false
	}
	return out, truncated, nil
}

// backwards calls fn with each complete line of r[:size], last first,
// until fn returns false or maxScan bytes were read; truncated reports
// the latter with lines left unread. A partial last line (a write in
// progress) and lines over maxLine are skipped.
func backwards(r io.ReaderAt, size, maxScan int64, chunk int, fn func(line []byte) bool) (truncated bool, err error) {
	var carry []byte // the end of a line whose start is not read yet
	// discard: the bytes read last belong to a line to skip (the partial
	// last line, an over-long one) up to the newline before it.
	discard := true
	pos, read := size, int64(0)
	buf := make([]byte, chunk)
	for pos > 0 {
		if read >= maxScan {
			return true, nil
		}
		n := min(int64(chunk), pos)
		pos -= n
		b := buf[:n]
		if _, err := r.ReadAt(b, pos); err != nil {
			return false, err
		}
		read += n
		data := append(b, carry...)
		if discard {
			i := bytes.LastIndexByte(data, '\n')
			if i < 0 {
				carry = nil
				continue
			}
			data, discard = data[:i+1], false
		}
		for {
			end := len(data)
			if end > 0 && data[end-1] == '\n' {
				end--
			}
			i := bytes.LastIndexByte(data[:end], '\n')
			if i < 0 {
				break
			}
			line := data[i+1 : end]
			data = data[:i+1]
			if len(line) > 0 && len(line) <= maxLine && !fn(line) {
				return false, nil
			}
		}
		if len(data) > maxLine+1 {
			carry, discard = nil, true // an over-long line: skip it
			continue
		}
		carry = append(carry[:0:0], data...)
	}
	if end := len(carry); end > 0 {
		if carry[end-1] == '\n' {
			end--
		}
		if line := carry[:end]; len(line) > 0 && len(line) <= maxLine {
			fn(line)
		}
	}
	return false, nil
}
