package email

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"
	"time"
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var testKey = []byte("0123456789abcdef0123456789abcdef")

// newCodes returns Codes over a fresh Memory store with cfg (Key filled in).
func newCodes(t testing.TB, cfg Config) (*Codes, *clock, *Memory) {
	t.Helper()
	if cfg.Key == nil {
		cfg.Key = testKey
	}
	clk := newClock()
	mem := NewMemory()
	c, err := New(cfg, mem, clk.Now, rand.Reader)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, clk, mem
}

func mustIssue(t testing.TB, c *Codes, vid, addr string) string {
	t.Helper()
	code, _, err := c.Issue(context.Background(), vid, addr)
	if err != nil {
		t.Fatalf("Issue(%q, %q): %v", vid, addr, err)
	}
	return code
}

// otherCode returns a well-formed code different from code.
func otherCode(code string) string {
	b := []byte(code)
	b[CodeLen-1] = '0' + (b[CodeLen-1]-'0'+1)%10
	return string(b)
}
