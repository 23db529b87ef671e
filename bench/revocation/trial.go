package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"
)

// sample is one trial's timings, all from the start of the revoke call.
type sample struct {
	total time.Duration // until B first refused the old cookie
	call  time.Duration // until A's revoke call returned
}

// trial signs the user in through A, warms B with her cookie, revokes
// through A and waits for B to refuse the cookie.
func trial(ctx context.Context, o options, c *cluster, br *browser, adm *admin, rng *rand.Rand) (sample, error) {
	if err := br.signIn(ctx, c.a.url, user, password); err != nil {
		return sample{}, err
	}
	cookie, err := br.cookies(c.b.url)
	if err != nil {
		return sample{}, err
	}
	// B must have the session in its cache, so that the denial measures
	// the invalidation and not a cold lookup.
	if a, err := br.get(ctx, c.b.url, cookie); err != nil {
		return sample{}, fmt.Errorf("warming B: %w", err)
	} else if a.status != http.StatusOK {
		return sample{}, fmt.Errorf("warming B: HTTP %d, want 200", a.status)
	}
	sess, err := adm.newestSession(ctx, email)
	if err != nil {
		return sample{}, err
	}
	key := sess.ID
	if o.scope == "user" {
		key = sess.User
	}

	// Trials follow each other at a steady pace; without the pause the
	// revocation would land at the same point of B's poll cycle each time.
	if o.jitter > 0 {
		select {
		case <-ctx.Done():
			return sample{}, ctx.Err()
		case <-time.After(time.Duration(rng.Int64N(int64(o.jitter)))):
		}
	}

	// B is polled from the moment the call starts: it may learn of the
	// revocation before A has answered.
	pctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	type denial struct {
		at  time.Duration
		err error
	}
	denied := make(chan denial, 1)
	start := time.Now()
	go func() {
		at, err := pollUntilDenied(pctx, br, c.b.url, cookie, o.poll, start)
		denied <- denial{at, err}
	}()
	err = adm.revoke(ctx, o.scope, key)
	s := sample{call: time.Since(start)}
	if err != nil {
		cancel()
		<-denied
		return sample{}, err
	}
	d := <-denied
	if d.err != nil {
		return sample{}, d.err
	}
	s.total = d.at
	return s, nil
}

// pollUntilDenied asks B for the app with the revoked cookie until it
// signs the user out (see answer.signedOut), and returns when that answer
// came (since start). Any other answer but 200 is an error: a revoked
// session must send the user to sign in again, not fail.
func pollUntilDenied(ctx context.Context, br *browser, gw, cookie string, every time.Duration, start time.Time) (time.Duration, error) {
	polls := 0
	for {
		a, err := br.get(ctx, gw, cookie)
		at := time.Since(start)
		polls++
		switch {
		case err != nil && ctx.Err() != nil:
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return 0, fmt.Errorf("B still served the revoked session after %s (%d requests)", at.Round(time.Millisecond), polls)
			}
			return 0, ctx.Err()
		case err != nil:
			return 0, fmt.Errorf("polling B: %w", err)
		case a.signedOut():
			return at, nil
		case a.status != http.StatusOK:
			return 0, fmt.Errorf("B answered the revoked session with HTTP %d (Location %q), want 302 to /.vigil/login or 401 session-revoked",
				a.status, a.location)
		}
		if every > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(every):
			}
		}
	}
}

// quantile is the nearest-rank q-quantile of ds (q = 1: the maximum).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// ms writes d in milliseconds with 0.1 ms resolution.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond))
}

// loadAverage is ", load avg X Y Z" where /proc/loadavg exists.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return ", load avg " + strings.Join(f[:3], " ")
}
