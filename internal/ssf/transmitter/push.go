package transmitter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

const (
	// idleRecheck is how often Run looks at the queues with nothing to
	// wake it: SETs queued by another replica, or due after a restart.
	idleRecheck = 30 * time.Second
	pushBatch   = 16
	maxRespBody = 4 << 10
)

// pushLoop delivers queued SETs to push streams until ctx ends; Run runs
// it while this replica holds the push lease. Each enabled push stream is
// served in order: after a failed attempt the stream waits for that SET's
// retry (base 1 s, doubling, at most 5 min) so that SETs never overtake
// one another. It wakes as soon as a SET is queued, on any replica.
func (t *Transmitter) pushLoop(ctx context.Context) {
	for {
		wake := t.queued.wait()
		next := t.deliverRound(ctx)
		wait := idleRecheck
		if !next.IsZero() {
			wait = min(wait, max(next.Sub(t.clock()), 10*time.Millisecond))
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// deliverRound serves every enabled push stream once, in parallel, and
// returns the earliest time a stream waits for (zero if none).
func (t *Transmitter) deliverRound(ctx context.Context) time.Time {
	streams, err := t.store.ListStreams(ctx, "")
	if err != nil {
		if ctx.Err() == nil {
			t.log.ErrorContext(ctx, "ssf push: list streams", "err", err)
		}
		return t.clock().Add(backoffBase)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		earliest time.Time
	)
	note := func(at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		if !at.IsZero() && (earliest.IsZero() || at.Before(earliest)) {
			earliest = at
		}
	}
	for i := range streams {
		s := &streams[i]
		if s.Status != StatusEnabled {
			continue
		}
		cfg, err := decodeStored(s.Config)
		if err != nil {
			t.log.ErrorContext(ctx, "ssf push: stream configuration", "stream_id", s.ID, "err", err)
			continue
		}
		if cfg.Delivery.Method != MethodPush {
			continue
		}
		wg.Go(func() { note(t.deliverStream(ctx, s, cfg.Delivery)) })
	}
	wg.Wait()
	return earliest
}

// deliverStream pushes the stream's SETs oldest first until none is left,
// one fails, or the oldest left waits for its retry; it returns when the
// stream should be tried again. The queue itself says which SET waits (not
// this replica's memory), so order holds across restarts and when another
// replica takes over the pushing.
func (t *Transmitter) deliverStream(ctx context.Context, s *store.Stream, d Delivery) time.Time {
	rcv := t.receiverFor(s.Audience)
	for ctx.Err() == nil {
		es, err := t.store.PendingEvents(ctx, s.ID, farFuture, pushBatch)
		if err != nil {
			if ctx.Err() == nil {
				t.log.ErrorContext(ctx, "ssf push: read queue", "stream_id", s.ID, "err", err)
			}
			return t.clock().Add(backoffBase)
		}
		if len(es) == 0 {
			return time.Time{}
		}
		for _, e := range es {
			if e.NextAttempt.After(t.clock()) {
				return e.NextAttempt // everything behind it waits too
			}
			res := t.push(ctx, rcv, d, e.SET)
			if ctx.Err() != nil && !res.delivered {
				return time.Time{} // cut short: not an attempt
			}
			if next, stop := t.settlePush(ctx, s.ID, &e, res); stop || ctx.Err() != nil {
				return next
			}
		}
	}
	return time.Time{}
}

// retryNow makes a push stream's SETs that wait for a retry due at once,
// after a change that may let them through (a new endpoint, a resume),
// and wakes the push loop. A poll stream is left alone: its waiting SETs
// are handed out and not yet acknowledged. The pushing replica may be
// another one; it sees the change at its next look at the queue (within
// the 30 s recheck). Failures only delay, so they are logged.
func (t *Transmitter) retryNow(ctx context.Context, s *store.Stream) {
	defer t.queued.notify()
	cfg, err := decodeStored(s.Config)
	if err != nil || cfg.Delivery.Method != MethodPush {
		return
	}
	now := t.clock()
	es, err := t.store.PendingEvents(ctx, s.ID, farFuture, 0)
	for i := 0; err == nil && i < len(es); i++ {
		if e := &es[i]; e.NextAttempt.After(now) {
			err = t.store.RetryEvent(ctx, s.ID, e.JTI, e.Attempts, now, e.LastError)
			if errors.Is(err, store.ErrNotFound) { // delivered meanwhile
				err = nil
			}
		}
	}
	if err != nil {
		t.log.WarnContext(ctx, "ssf stream: retrying waiting SETs now failed; they wait for their retry",
			"stream_id", s.ID, "err", err)
	}
}

// pushResult is the outcome of one delivery attempt.
type pushResult struct {
	delivered bool
	code      string // the receiver's SET error code, when it refused the SET
	desc      string
	failure   string // why the attempt failed, when it may succeed later
}

// settlePush records the outcome of pushing e. It reports stop when the
// stream must wait, with the time of the retry.
func (t *Transmitter) settlePush(ctx context.Context, streamID string, e *store.StreamEvent, res pushResult) (time.Time, bool) {
	drop := res.delivered || res.code != ""
	switch {
	case res.code != "":
		t.log.WarnContext(ctx, "ssf push: receiver refused a SET; dropped", "stream_id", streamID, "jti", e.JTI,
			"err", clip(res.code, 64), "description", clip(res.desc, maxErrDescription))
	case !res.delivered && e.Attempts+1 >= t.maxTries:
		t.log.ErrorContext(ctx, "ssf push: SET dropped after its last attempt", "stream_id", streamID,
			"jti", e.JTI, "attempts", e.Attempts+1, "last_error", res.failure)
		drop = true
	}
	if drop {
		// Even once ctx ended (shutdown, the push role lost): the receiver
		// has it, and the next pusher need not send it again.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if _, err := t.store.AckEvents(actx, streamID, []string{e.JTI}); err != nil {
			t.log.ErrorContext(ctx, "ssf push: remove SET", "stream_id", streamID, "err", err)
			return t.clock().Add(backoffBase), true
		}
		return time.Time{}, false
	}
	attempts := e.Attempts + 1
	next := t.clock().Add(backoff(attempts))
	if err := t.store.RetryEvent(ctx, streamID, e.JTI, attempts, next, res.failure); err != nil {
		t.log.ErrorContext(ctx, "ssf push: record retry", "stream_id", streamID, "err", err)
	}
	t.log.InfoContext(ctx, "ssf push: attempt failed; will retry", "stream_id", streamID, "jti", e.JTI,
		"attempts", attempts, "next", next, "error", res.failure)
	return next, true
}

// backoff is the wait after the nth failed attempt: 1 s doubling, capped.
func backoff(n int) time.Duration {
	d := backoffBase
	for i := 1; i < n && d < backoffCap; i++ {
		d *= 2
	}
	return min(d, backoffCap)
}

// push POSTs one SET (RFC 8935 section 2).
func (t *Transmitter) push(ctx context.Context, rcv *receiver, d Delivery, raw []byte) pushResult {
	if rcv == nil {
		return pushResult{failure: "the stream's receiver is no longer configured"}
	}
	// Checked again at each attempt: the configuration may have narrowed.
	if err := allowedPush(d.EndpointURL, rcv.prefixes); err != nil {
		return pushResult{failure: "the push endpoint is no longer allowed"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.EndpointURL, bytes.NewReader(raw))
	if err != nil {
		return pushResult{failure: "bad push request: " + clip(err.Error(), 200)}
	}
	req.Header.Set("Content-Type", "application/secevent+jwt")
	req.Header.Set("Accept", "application/json")
	if d.AuthorizationHeader != "" {
		req.Header.Set("Authorization", d.AuthorizationHeader)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return pushResult{failure: clip(err.Error(), 200)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxRespBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxRespBody)) // let the connection be reused
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return pushResult{delivered: true}
	case resp.StatusCode == http.StatusBadRequest:
		var se setErr
		if json.Unmarshal(body, &se) == nil && se.Err != "" {
			return pushResult{code: se.Err, desc: se.Description}
		}
	}
	return pushResult{failure: fmt.Sprintf("HTTP %d", resp.StatusCode)}
}

func (t *Transmitter) receiverFor(audience string) *receiver {
	for i := range t.receivers {
		if t.receivers[i].Audience == audience {
			return &t.receivers[i]
		}
	}
	return nil
}
