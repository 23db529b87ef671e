package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// LeaseBackend keeps leases: a role at most one holder plays at a time
// (see store/lease.go).
//
// Contract:
//   - AcquireLease takes a free lease, an expired one (until not after now)
//     or holder's own, setting until to now+ttl; otherwise it changes
//     nothing and reports the current holder's until. Of holders racing,
//     exactly one wins.
//   - ReleaseLease frees holder's lease at once and ignores a lease held
//     by another holder or by no one.
//   - Leases of different names are independent.
//   - Empty or overlong names and holders, a ttl that is not positive and
//     the zero time are refused.
type LeaseBackend interface {
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, time.Time, error)
	ReleaseLease(ctx context.Context, name, holder string) error
}

// RunLease runs the lease conformance tests. open must return a new, empty
// store for each call and arrange its cleanup with t.Cleanup.
func RunLease(t *testing.T, open func(t *testing.T) LeaseBackend) {
	tests := []struct {
		name string
		run  func(t *testing.T, b LeaseBackend)
	}{
		{"AcquireRenewRefuse", testLeaseAcquire},
		{"ExpiryTakeover", testLeaseExpiry},
		{"Release", testLeaseRelease},
		{"Names", testLeaseNames},
		{"BadInput", testLeaseBadInput},
		{"Race", testLeaseRace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

const leaseTTL = 15 * time.Second

// acquire calls AcquireLease and fails the test unless it reports want.
func acquire(t *testing.T, b LeaseBackend, name, holder string, now time.Time, want bool, wantUntil time.Time) {
	t.Helper()
	held, until, err := b.AcquireLease(t.Context(), name, holder, leaseTTL, now)
	if err != nil {
		t.Fatalf("AcquireLease(%s, %s): %v", name, holder, err)
	}
	if held != want || !until.Equal(wantUntil) || until.Location() != time.UTC {
		t.Fatalf("AcquireLease(%s, %s) at %v = %v until %v; want %v until %v (UTC)",
			name, holder, now, held, until, want, wantUntil)
	}
}

func testLeaseAcquire(t *testing.T, b LeaseBackend) {
	acquire(t, b, "push", "a", base, true, base.Add(leaseTTL))
	// Another holder is refused, and told when the lease ends.
	acquire(t, b, "push", "b", base.Add(time.Second), false, base.Add(leaseTTL))
	// The holder renews: the end moves on.
	acquire(t, b, "push", "a", base.Add(5*time.Second), true, base.Add(5*time.Second+leaseTTL))
	acquire(t, b, "push", "b", base.Add(leaseTTL+time.Second), false, base.Add(5*time.Second+leaseTTL))
	// A renewal with a shorter ttl shortens it: until is always now+ttl.
	held, until, err := b.AcquireLease(t.Context(), "push", "a", time.Second, base.Add(6*time.Second))
	if err != nil || !held || !until.Equal(base.Add(7*time.Second)) {
		t.Fatalf("renewal with 1 s = %v until %v, %v", held, until, err)
	}
}

func testLeaseExpiry(t *testing.T, b LeaseBackend) {
	acquire(t, b, "push", "a", base, true, base.Add(leaseTTL))
	end := base.Add(leaseTTL)
	acquire(t, b, "push", "b", end.Add(-time.Microsecond), false, end)
	// At until the lease is over: b takes it, and a is now the one refused.
	acquire(t, b, "push", "b", end, true, end.Add(leaseTTL))
	acquire(t, b, "push", "a", end.Add(time.Second), false, end.Add(leaseTTL))
	// a, whose lease lapsed, takes it back only once b's lapses too.
	acquire(t, b, "push", "a", end.Add(leaseTTL), true, end.Add(2*leaseTTL))
}

func testLeaseRelease(t *testing.T, b LeaseBackend) {
	ctx := t.Context()
	acquire(t, b, "push", "a", base, true, base.Add(leaseTTL))
	// Another holder's release, or one of another name, changes nothing.
	for _, nh := range [][2]string{{"push", "b"}, {"other", "a"}} {
		if err := b.ReleaseLease(ctx, nh[0], nh[1]); err != nil {
			t.Fatalf("ReleaseLease(%s, %s): %v", nh[0], nh[1], err)
		}
	}
	acquire(t, b, "push", "b", base.Add(time.Second), false, base.Add(leaseTTL))
	// The holder's release frees it at once.
	if err := b.ReleaseLease(ctx, "push", "a"); err != nil {
		t.Fatalf("ReleaseLease: %v", err)
	}
	if err := b.ReleaseLease(ctx, "push", "a"); err != nil {
		t.Fatalf("ReleaseLease again: %v", err)
	}
	acquire(t, b, "push", "b", base.Add(2*time.Second), true, base.Add(2*time.Second+leaseTTL))
	acquire(t, b, "push", "a", base.Add(3*time.Second), false, base.Add(2*time.Second+leaseTTL))
}

func testLeaseNames(t *testing.T, b LeaseBackend) {
	acquire(t, b, "push", "a", base, true, base.Add(leaseTTL))
	acquire(t, b, "sweep", "b", base, true, base.Add(leaseTTL))
	acquire(t, b, "Push", "b", base, true, base.Add(leaseTTL)) // names are exact
	acquire(t, b, "push", "b", base, false, base.Add(leaseTTL))
	acquire(t, b, "push", "A", base, false, base.Add(leaseTTL)) // and so are holders
}

func testLeaseBadInput(t *testing.T, b LeaseBackend) {
	ctx := t.Context()
	long := strings.Repeat("x", 201)
	for i, tc := range []struct {
		name, holder string
		ttl          time.Duration
		now          time.Time
	}{
		{"", "a", leaseTTL, base},
		{"push", "", leaseTTL, base},
		{long, "a", leaseTTL, base},
		{"push", long, leaseTTL, base},
		{"push", "a\x00b", leaseTTL, base},
		{"push", "\xff", leaseTTL, base},
		{"push", "a", 0, base},
		{"push", "a", -time.Second, base},
		{"push", "a", leaseTTL, time.Time{}},
	} {
		if held, _, err := b.AcquireLease(ctx, tc.name, tc.holder, tc.ttl, tc.now); err == nil || held {
			t.Errorf("case %d: AcquireLease(%q, %q, %v, %v) = %v, %v; want an error", i, tc.name, tc.holder, tc.ttl, tc.now, held, err)
		}
	}
	if err := b.ReleaseLease(ctx, "", "a"); err == nil {
		t.Error("ReleaseLease with no name: no error")
	}
	if err := b.ReleaseLease(ctx, "push", ""); err == nil {
		t.Error("ReleaseLease with no holder: no error")
	}
	// Nothing was taken by the refused calls.
	acquire(t, b, "push", "a", base, true, base.Add(leaseTTL))
}

// testLeaseRace: holders racing for a free lease, then for an expired
// one, get exactly one winner each time, and every loser is told the
// winner's expiry.
func testLeaseRace(t *testing.T, b LeaseBackend) {
	const holders = 16
	now := base
	for round := range 4 {
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			wins   []string
			untils = map[time.Time]int{}
			start  = make(chan struct{})
		)
		for i := range holders {
			holder := fmt.Sprintf("r%d-h%d", round, i)
			wg.Go(func() {
				<-start
				held, until, err := b.AcquireLease(t.Context(), "push", holder, leaseTTL, now)
				if err != nil {
					t.Errorf("AcquireLease(%s): %v", holder, err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if held {
					wins = append(wins, holder)
				}
				untils[until]++
			})
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			return
		}
		if len(wins) != 1 {
			t.Fatalf("round %d: %d holders won (%v); want exactly 1", round, len(wins), wins)
		}
		if untils[now.Add(leaseTTL)] != holders {
			t.Fatalf("round %d: expiries seen %v; want %v by all", round, untils, now.Add(leaseTTL))
		}
		acquire(t, b, "push", wins[0], now.Add(time.Second), true, now.Add(time.Second+leaseTTL))
		now = now.Add(time.Second + leaseTTL) // expired: the next round races for it again
	}
}
