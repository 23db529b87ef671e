// Package audit writes one structured record per access decision: who,
// which app, what was decided and why, from where. Records are JSON lines
// written through a buffer that is flushed at least every second, so the
// request path never waits on a disk or pipe write. It never records
// tokens, cookies or secrets.
package audit

import (
	"bufio"
	"context"
	"io"
	"sync"
	"time"
)

// Record is one decision.
type Record struct {
	Time      time.Time `json:"time"`
	Kind      string    `json:"kind"` // "decision", "login", "logout", "revoke", "risk", "backchannel-logout", "ssf", "review"
	RequestID string    `json:"request_id,omitempty"`
	App       string    `json:"app,omitempty"`
	User      string    `json:"user,omitempty"` // user id (provider + subject hash)
	Email     string    `json:"email,omitempty"`
	Session   string    `json:"session,omitempty"` // session id, not the cookie
	Decision  string    `json:"decision"`
	Rule      string    `json:"rule,omitempty"`
	Reasons   []string  `json:"reasons,omitempty"`
	IP        string    `json:"ip,omitempty"`
	Method    string    `json:"method,omitempty"`
	Host      string    `json:"host,omitempty"`
	Path      string    `json:"path,omitempty"`
	Status    int       `json:"status,omitempty"`
	// Actor is who made a change (admin:<name>, detector, ssf:<transmitter>,
	// verification); empty for decisions.
	Actor string `json:"actor,omitempty"`
	// Verification is the verification a review record is about (its ID,
	// never the person's name or document).
	Verification string `json:"verification,omitempty"`
}

// Log is a buffered JSON-lines audit writer, safe for concurrent use. A nil
// *Log discards records.
type Log struct {
	mu      sync.Mutex
	buf     *bufio.Writer
	scratch []byte
	err     error
}

// New writes records to w. Call Run to flush periodically and Close at the end.
func New(w io.Writer) *Log {
	b := bufio.NewWriterSize(w, 64<<10)
	return &Log{buf: b, scratch: make([]byte, 0, 512)}
}

// Write appends a record. A write error is kept and reported by Flush.
func (l *Log) Write(r *Record) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.scratch = appendRecord(l.scratch[:0], r)
	if _, err := l.buf.Write(l.scratch); err != nil && l.err == nil {
		l.err = err
	}
	l.mu.Unlock()
}

// Flush writes buffered records out and returns the first error seen.
func (l *Log) Flush() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.buf.Flush(); err != nil && l.err == nil {
		l.err = err
	}
	err := l.err
	l.err = nil
	return err
}

// Run flushes every interval until ctx ends, reporting errors to onErr.
func (l *Log) Run(ctx context.Context, interval time.Duration, onErr func(error)) {
	if l == nil {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := l.Flush(); err != nil && onErr != nil {
				onErr(err)
			}
			return
		case <-t.C:
			if err := l.Flush(); err != nil && onErr != nil {
				onErr(err)
			}
		}
	}
}
