package email

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestConcurrentChecksOfOneCode(t *testing.T) {
	c, _, _ := newCodes(t, Config{})
	code := mustIssue(t, c, "v1", "alice@corp.example")
	const n = 64
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = c.Check(context.Background(), "v1", "alice@corp.example", code)
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch r := ReasonOf(err); {
		case err == nil:
			ok++
		case r != ReasonCodeUsed:
			t.Errorf("concurrent check: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent checks of one code succeeded; want exactly 1", ok)
	}
}

func TestConcurrentWrongCodesLockOutAfterMax(t *testing.T) {
	c, _, _ := newCodes(t, Config{})
	code := mustIssue(t, c, "v1", "alice@corp.example")
	const n = 40
	reasons := make([]Reason, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			reasons[i] = ReasonOf(c.Check(context.Background(), "v1", "alice@corp.example", otherCode(code)))
		})
	}
	wg.Wait()
	counts := map[Reason]int{}
	for _, r := range reasons {
		counts[r]++
	}
	if counts[ReasonCodeInvalid] != DefaultMaxAttempts-1 || counts[ReasonLockedOut] != n-DefaultMaxAttempts+1 {
		t.Fatalf("outcomes %v; want %d code-invalid and the rest locked-out", counts, DefaultMaxAttempts-1)
	}
	if err := c.Check(context.Background(), "v1", "alice@corp.example", code); ReasonOf(err) != ReasonLockedOut {
		t.Fatalf("right code after lockout: %v", err)
	}
}

func TestConcurrentIssuesRespectRateLimit(t *testing.T) {
	c, _, _ := newCodes(t, Config{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 32 {
		wg.Go(func() {
			_, _, err := c.Issue(context.Background(), fmt.Sprintf("v%d", i), "alice@corp.example")
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d concurrent sends to one mailbox allowed; want 1", ok)
	}
}

func TestStoredStateHoldsNoCode(t *testing.T) {
	c, _, mem := newCodes(t, Config{})
	code := mustIssue(t, c, "v1", "alice@corp.example")
	err := mem.Update(context.Background(), "v1", "alice@corp.example", func(ch *Challenge, mb *Mailbox) error {
		dump := fmt.Sprintf("%+v %x %+v", *ch, ch.Digest, *mb)
		if strings.Contains(dump, code) || len(ch.Digest) != 32 {
			t.Errorf("stored state reveals the code %s: %s", code, dump)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMemoryDropsStaleRecords(t *testing.T) {
	c, clk, mem := newCodes(t, Config{})
	code := mustIssue(t, c, "v1", "alice@corp.example")
	if err := c.Check(context.Background(), "v1", "alice@corp.example", otherCode(code)); ReasonOf(err) != ReasonCodeInvalid {
		t.Fatal(err)
	}
	if ch, mb := mem.Len(); ch != 1 || mb != 1 {
		t.Fatalf("Len = %d, %d; want 1, 1", ch, mb)
	}
	clk.Advance(2 * time.Hour)
	if err := c.Check(context.Background(), "v1", "alice@corp.example", code); ReasonOf(err) != ReasonCodeMissing {
		t.Fatalf("check after two hours: %v", err)
	}
	if ch, mb := mem.Len(); ch != 0 || mb != 0 {
		t.Fatalf("Len = %d, %d after everything lapsed; want 0, 0", ch, mb)
	}
}

func TestMemoryHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := NewMemory().Update(ctx, "v", "m", func(*Challenge, *Mailbox) error { t.Fatal("fn ran"); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Update with a cancelled context: %v", err)
	}
}

func TestIssueFailsClosedOnBrokenRandomness(t *testing.T) {
	c, err := New(Config{Key: testKey}, NewMemory(), newClock().Now, strings.NewReader("xy"))
	if err != nil {
		t.Fatal(err)
	}
	code, _, err := c.Issue(context.Background(), "v1", "alice@corp.example")
	if err == nil || code != "" || ReasonOf(err) != "" {
		t.Fatalf("Issue with a broken random source = %q, %v; want an internal error", code, err)
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; nil means valid
	}{
		{"defaults", Config{Key: testKey}, nil},
		{"everything wrong at once", Config{
			Key: []byte("short"), TTL: -1, MaxAttempts: -1, Lockout: -1,
			SendLimits: []Limit{{Per: 0, Max: 1}}, AllowedDomains: []string{"not a domain"},
		}, []string{"key is 5 bytes", "ttl", "max attempts", "lockout", "send limit", `"not a domain"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.cfg, NewMemory(), time.Now, rand.Reader)
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if c.cfg.TTL != DefaultTTL || c.cfg.MaxAttempts != DefaultMaxAttempts || c.cfg.Lockout != DefaultLockout ||
					len(c.cfg.SendLimits) != 2 {
					t.Fatalf("defaults not applied: %+v", c.cfg)
				}
				return
			}
			if err == nil {
				t.Fatal("invalid config accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if _, err := New(Config{Key: testKey}, nil, time.Now, rand.Reader); err == nil {
		t.Error("nil store accepted")
	}
}

func TestErrorMessages(t *testing.T) {
	for _, r := range []Reason{ReasonAddressInvalid, ReasonDomainNotAllowed, ReasonCodeMalformed, ReasonCodeInvalid,
		ReasonCodeMissing, ReasonCodeExpired, ReasonCodeUsed, ReasonLockedOut, ReasonRateLimited} {
		e := &Error{Reason: r, RetryAfter: 90 * time.Second, Remaining: 2}
		if msg := e.Error(); msg == "" || strings.Contains(msg, "could not be checked") {
			t.Errorf("%s has no message of its own: %q", r, msg)
		}
		if ReasonOf(fmt.Errorf("wrapped: %w", e)) != r {
			t.Errorf("ReasonOf loses %s through wrapping", r)
		}
	}
	if got := (&Error{Reason: ReasonLockedOut, RetryAfter: 15 * time.Minute}).Error(); !strings.Contains(got, "15 minutes") {
		t.Errorf("locked-out message %q", got)
	}
	if got := (&Error{Reason: ReasonRateLimited, RetryAfter: 1500 * time.Millisecond}).Error(); !strings.Contains(got, "2 seconds") {
		t.Errorf("rate-limited message %q", got)
	}
	if ReasonOf(errors.New("disk on fire")) != "" || ReasonOf(nil) != "" {
		t.Error("ReasonOf invents a reason")
	}
}

// TestDigestsComparedInConstantTime reads this package's source: digests
// are []byte (so == cannot compile), and the only comparison allowed is
// digestEqual, which must be hmac.Equal and must be what Check uses.
func TestDigestsComparedInConstantTime(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var sawHMACEqual, checkUsesIt bool
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if p := strings.Trim(imp.Path.Value, `"`); p == "bytes" || p == "reflect" {
				t.Errorf("%s imports %s: digests must only be compared by digestEqual", name, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			fn, ok := n.(*ast.FuncDecl)
			if !ok {
				return true
			}
			calls := callsIn(fn)
			switch fn.Name.Name {
			case "digestEqual":
				sawHMACEqual = calls["hmac.Equal"]
			case "Check":
				checkUsesIt = calls["digestEqual"]
			}
			if calls["subtle.ConstantTimeCompare"] && fn.Name.Name != "digestEqual" {
				t.Errorf("%s compares secrets outside digestEqual", fn.Name.Name)
			}
			return false
		})
	}
	if !sawHMACEqual || !checkUsesIt {
		t.Fatalf("digestEqual uses hmac.Equal: %v; Check uses digestEqual: %v", sawHMACEqual, checkUsesIt)
	}
}

func callsIn(fn *ast.FuncDecl) map[string]bool {
	calls := map[string]bool{}
	ast.Inspect(fn, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			switch f := c.Fun.(type) {
			case *ast.Ident:
				calls[f.Name] = true
			case *ast.SelectorExpr:
				if x, ok := f.X.(*ast.Ident); ok {
					calls[x.Name+"."+f.Sel.Name] = true
				}
			}
		}
		return true
	})
	return calls
}

func BenchmarkIssueAndCheck(b *testing.B) {
	c, clk, _ := newCodes(b, Config{SendLimits: []Limit{{Per: time.Nanosecond, Max: 1}}})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		clk.Advance(time.Millisecond)
		vid := "v"
		code := mustIssue(b, c, vid, "alice@corp.example")
		if err := c.Check(context.Background(), vid, "alice@corp.example", code); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckWrong(b *testing.B) {
	c, _, _ := newCodes(b, Config{MaxAttempts: 1 << 30})
	code := mustIssue(b, c, "v", "alice@corp.example")
	wrong := otherCode(code)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Check(context.Background(), "v", "alice@corp.example", wrong); ReasonOf(err) != ReasonCodeInvalid {
			b.Fatal(err)
		}
	}
}
