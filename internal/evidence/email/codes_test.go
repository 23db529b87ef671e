package email

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// step is one call in a rules scenario. Codes: "$N" is the code of the
// N-th successful Issue in the scenario, "$" the latest, "wrong" a
// well-formed code other than the latest; anything else is sent as is.
type step struct {
	advance   time.Duration
	op        string // "issue" or "check"
	vid, addr string // default "v1", "alice@corp.example"
	code      string
	reason    Reason // "" means success
	retry     time.Duration
	remaining int
}

func issue(reason Reason, retry time.Duration) step {
	return step{op: "issue", reason: reason, retry: retry}
}

func check(code string, reason Reason) step { return step{op: "check", code: code, reason: reason} }

func after(d time.Duration, s step) step { s.advance = d; return s }

func on(vid, addr string, s step) step { s.vid, s.addr = vid, addr; return s }

func TestRules(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		steps []step
	}{
		{"right code accepted once, then code-used", Config{}, []step{
			issue("", 0), check("$", ""), check("$", ReasonCodeUsed),
		}},
		{"expiry at the TTL", Config{}, []step{
			issue("", 0), after(10*time.Minute-time.Second, check("wrong", ReasonCodeInvalid)),
			after(time.Second, check("$", ReasonCodeExpired)),
		}},
		{"valid just before expiry", Config{}, []step{
			issue("", 0), after(10*time.Minute-time.Nanosecond, check("$", "")),
		}},
		{"custom TTL", Config{TTL: time.Minute}, []step{
			issue("", 0), after(time.Minute, check("$", ReasonCodeExpired)),
		}},
		{"long-expired code is forgotten", Config{}, []step{
			issue("", 0), after(20*time.Minute, check("$", ReasonCodeMissing)),
		}},
		{"attempts count down, then lockout", Config{}, []step{
			issue("", 0),
			{op: "check", code: "wrong", reason: ReasonCodeInvalid, remaining: 4},
			{op: "check", code: "wrong", reason: ReasonCodeInvalid, remaining: 3},
			{op: "check", code: "wrong", reason: ReasonCodeInvalid, remaining: 2},
			{op: "check", code: "wrong", reason: ReasonCodeInvalid, remaining: 1},
			{op: "check", code: "wrong", reason: ReasonLockedOut, retry: 15 * time.Minute},
			{op: "check", code: "$", reason: ReasonLockedOut, retry: 15 * time.Minute},
			{advance: 5 * time.Minute, op: "issue", reason: ReasonLockedOut, retry: 10 * time.Minute},
			// the dead code stays dead after the lockout
			after(10*time.Minute, check("$0", ReasonCodeMissing)),
			issue("", 0), check("$", ""),
		}},
		{"lockout is per mailbox, across verifications", Config{MaxAttempts: 1, Lockout: time.Hour}, []step{
			issue("", 0), check("wrong", ReasonLockedOut),
			after(2*time.Minute, on("v2", "Alice+2@corp.example", issue(ReasonLockedOut, 58*time.Minute))),
			on("v2", "bob@corp.example", issue("", 0)),
		}},
		{"malformed and missing codes do not count", Config{MaxAttempts: 2}, []step{
			check("123456", ReasonCodeMissing),
			issue("", 0),
			check("12345", ReasonCodeMalformed), check("abcdef", ReasonCodeMalformed),
			on("v1", "bob@corp.example", check("$", ReasonCodeMissing)),
			{op: "check", code: "wrong", reason: ReasonCodeInvalid, remaining: 1},
			check("$", ""),
		}},
		{"code bound to its verification", Config{}, []step{
			issue("", 0), on("v2", "alice@corp.example", check("$", ReasonCodeMissing)), check("$", ""),
		}},
		{"code bound to its address", Config{}, []step{
			issue("", 0), on("v1", "alice+x@corp.example", check("$", ReasonCodeMissing)),
			on("v1", "Alice@CORP.example", check("$", ReasonCodeMissing)), // local part case is kept
			on("v1", " alice@CORP.EXAMPLE ", check("$", "")),
		}},
		{"rate limit per verification: one a minute", Config{}, []step{
			issue("", 0), issue(ReasonRateLimited, time.Minute),
			after(30*time.Second, issue(ReasonRateLimited, 30*time.Second)),
			after(29*time.Second+time.Millisecond, issue(ReasonRateLimited, time.Second)), // rounded up
			after(time.Second-time.Millisecond, issue("", 0)),
			on("v1", "bob@corp.example", issue(ReasonRateLimited, time.Minute)),
		}},
		{"rate limit per verification: five an hour", Config{}, []step{
			issue("", 0),
			after(time.Minute, issue("", 0)), after(time.Minute, issue("", 0)),
			after(time.Minute, issue("", 0)), after(time.Minute, issue("", 0)),
			after(time.Minute, issue(ReasonRateLimited, 55*time.Minute)),
			after(55*time.Minute, issue("", 0)),
			after(time.Minute, issue("", 0)),
		}},
		{"rate limit per mailbox, across verifications and address spellings", Config{}, []step{
			issue("", 0),
			on("v2", "alice@corp.example", issue(ReasonRateLimited, time.Minute)),
			on("v3", "ALICE+otp@corp.example", issue(ReasonRateLimited, time.Minute)),
			on("v4", "bob@corp.example", issue("", 0)),
		}},
		{"custom send limits", Config{SendLimits: []Limit{{Per: 10 * time.Second, Max: 2}}}, []step{
			issue("", 0), issue("", 0), issue(ReasonRateLimited, 10*time.Second),
			after(10*time.Second, issue("", 0)),
		}},
		{"new code invalidates the previous one", Config{}, []step{
			issue("", 0), after(time.Minute, issue("", 0)),
			{op: "check", code: "$0", reason: ReasonCodeInvalid, remaining: 4},
			check("$1", ""),
		}},
		{"new code resets attempts", Config{MaxAttempts: 2}, []step{
			issue("", 0), check("wrong", ReasonCodeInvalid),
			after(time.Minute, issue("", 0)),
			{op: "check", code: "wrong", reason: ReasonCodeInvalid, remaining: 1},
			check("$", ""),
		}},
		{"domain allow-list", Config{AllowedDomains: []string{" Corp.Example. ", "other.example"}}, []step{
			on("v1", "alice@CORP.example", issue("", 0)),
			on("v2", "bob@other.example", issue("", 0)),
			on("v3", "eve@evil.example", issue(ReasonDomainNotAllowed, 0)),
			on("v4", "eve@sub.corp.example", issue(ReasonDomainNotAllowed, 0)),
			on("v5", "eve@corp.example.evil.example", issue(ReasonDomainNotAllowed, 0)),
			on("v3", "eve@evil.example", check("123456", ReasonDomainNotAllowed)),
		}},
		{"invalid addresses", Config{}, []step{
			on("v1", "Alice <alice@corp.example>", issue(ReasonAddressInvalid, 0)),
			on("v1", "alice@corp.example\r\nBcc: x@evil.example", issue(ReasonAddressInvalid, 0)),
			on("v1", "nobody", check("123456", ReasonAddressInvalid)),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, clk, _ := newCodes(t, tc.cfg)
			var issued []string
			for i, s := range tc.steps {
				clk.Advance(s.advance)
				vid, addr := s.vid, s.addr
				if vid == "" {
					vid, addr = "v1", "alice@corp.example"
				}
				var err error
				switch s.op {
				case "issue":
					var code string
					var exp time.Time
					code, exp, err = c.Issue(context.Background(), vid, addr)
					if err == nil {
						issued = append(issued, code)
						if ttl := c.cfg.TTL; !exp.Equal(clk.Now().Add(ttl)) {
							t.Fatalf("step %d: expires %v, want now+%v", i, exp, ttl)
						}
					}
				case "check":
					err = c.Check(context.Background(), vid, addr, resolveCode(t, s.code, issued))
				}
				assertOutcome(t, fmt.Sprintf("step %d (%s %s)", i, s.op, s.code), err, s.reason, s.retry, s.remaining)
			}
		})
	}
}

func resolveCode(t *testing.T, c string, issued []string) string {
	t.Helper()
	switch {
	case c == "$" || c == "wrong":
		if len(issued) == 0 {
			t.Fatal("scenario uses a code before any was issued")
		}
		if c == "wrong" {
			return otherCode(issued[len(issued)-1])
		}
		return issued[len(issued)-1]
	case strings.HasPrefix(c, "$"):
		var n int
		if _, err := fmt.Sscanf(c, "$%d", &n); err != nil || n >= len(issued) {
			t.Fatalf("bad code reference %q", c)
		}
		return issued[n]
	}
	return c
}

func assertOutcome(t *testing.T, what string, err error, reason Reason, retry time.Duration, remaining int) {
	t.Helper()
	if reason == "" {
		if err != nil {
			t.Fatalf("%s: %v; want success", what, err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %v; want reason %s", what, err, reason)
	}
	if e.Reason != reason || (retry != 0 && e.RetryAfter != retry) || (remaining != 0 && e.Remaining != remaining) {
		t.Fatalf("%s: got %s retry %v remaining %d; want %s retry %v remaining %d",
			what, e.Reason, e.RetryAfter, e.Remaining, reason, retry, remaining)
	}
	if (reason == ReasonLockedOut || reason == ReasonRateLimited) && e.RetryAfter <= 0 {
		t.Fatalf("%s: %s without retry-after", what, reason)
	}
	if e.Error() == "" || strings.Contains(e.Error(), "%!") {
		t.Fatalf("%s: bad message %q", what, e.Error())
	}
}
