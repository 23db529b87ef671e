package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"
)

// sample is one trial's timings, all from the start of the revoke call.
type sample struct {
	call   time.Duration   // until A's revoke call returned
	others []time.Duration // until each other replica (B, C, ...) first refused the old cookie
}

// all is when the last of the other replicas refused: the revocation is
// only in force once every replica enforces it.
func (s sample) all() time.Duration { return slices.Max(s.others) }

// trial signs the user in through A, warms every other replica with her
// cookie, revokes through A and waits until each of them refuses the
// cookie.
func trial(ctx context.Context, o options, c *cluster, br *browser, adm *admin, rng *rand.Rand) (sample, error) {
	if err := br.signIn(ctx, c.a().url, user, password); err != nil {
		return sample{}, err
	}
	cookie, err := br.cookies(c.a().url)
	if err != nil {
		return sample{}, err
	}
	// Every replica must have the session in its cache, so that the denial
	// measures the invalidation and not a cold lookup.
	for _, g := range c.others() {
		if a, err := br.get(ctx, g.url, cookie); err != nil {
			return sample{}, fmt.Errorf("warming %s: %w", g.name, err)
		} else if a.status != http.StatusOK {
			return sample{}, fmt.Errorf("warming %s: HTTP %d, want 200", g.name, a.status)
		}
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
	// revocation would land at the same point of SQLite's poll cycle each
	// time (PostgreSQL pushes, but the pause costs nothing there).
	if o.jitter > 0 {
		select {
		case <-ctx.Done():
			return sample{}, ctx.Err()
		case <-time.After(time.Duration(rng.Int64N(int64(o.jitter)))):
		}
	}

	// Every other replica is polled from the moment the call starts, each
	// by a goroutine of its own: any may learn of the revocation before A
	// has answered.
	pctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	type denial struct {
		i   int
		at  time.Duration
		err error
	}
	others := c.others()
	denied := make(chan denial, len(others))
	start := time.Now()
	for i, g := range others {
		go func() {
			at, err := pollUntilDenied(pctx, br, g, cookie, o.poll, start)
			denied <- denial{i, at, err}
		}()
	}
	callErr := adm.revoke(ctx, o.scope, key)
	s := sample{call: time.Since(start), others: make([]time.Duration, len(others))}
	if callErr != nil {
		cancel()
	}
	// The first failure ends the other pollers; their cancellations are
	// not news.
	var first error
	for range others {
		d := <-denied
		if d.err != nil && first == nil {
			first = d.err
			cancel()
		}
		s.others[d.i] = d.at
	}
	if callErr != nil {
		return sample{}, callErr
	}
	if first != nil {
		return sample{}, first
	}
	return s, nil
}

// pollUntilDenied asks g for the app with the revoked cookie until it
// signs the user out (see answer.signedOut), and returns when that answer
// came (since start). Any other answer but 200 is an error: a revoked
// session must send the user to sign in again, not fail.
func pollUntilDenied(ctx context.Context, br *browser, g *gateway, cookie string, every time.Duration, start time.Time) (time.Duration, error) {
	polls := 0
	for {
		a, err := br.get(ctx, g.url, cookie)
		at := time.Since(start)
		polls++
		switch {
		case err != nil && ctx.Err() != nil:
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return 0, fmt.Errorf("%s still served the revoked session after %s (%d requests)", g.name, at.Round(time.Millisecond), polls)
			}
			return 0, ctx.Err()
		case err != nil:
			return 0, fmt.Errorf("polling %s: %w", g.name, err)
		case a.signedOut():
			return at, nil
		case a.status != http.StatusOK:
			return 0, fmt.Errorf("%s answered the revoked session with HTTP %d (Location %q), want 302 to /.vigil/login or 401 session-revoked",
				g.name, a.status, a.location)
		}
		if every > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(every):
			}
		}
	}
}
