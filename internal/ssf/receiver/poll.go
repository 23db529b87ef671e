package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/vigil-gw/vigil/internal/ssf/set"
)

// Poll limits.
const (
	MaxPollEvents  = 50
	maxPollBody    = MaxPollEvents * (set.MaxSize + 512)
	maxBackoff     = 5 * time.Minute
	initialBackoff = time.Second
)

// pollAcks are the outcomes to report in a transmitter's next poll
// request (RFC 8936 section 2.4).
type pollAcks struct {
	ack  []string
	errs map[string]setError
}

type pollRequest struct {
	MaxEvents         int                 `json:"maxEvents"`
	ReturnImmediately bool                `json:"returnImmediately"`
	Ack               []string            `json:"ack"`
	SetErrs           map[string]setError `json:"setErrs,omitempty"`
}

type pollResponse struct {
	Sets          map[string]string `json:"sets"`
	MoreAvailable bool              `json:"moreAvailable"`
}

// Poll makes one RFC 8936 poll request to t: it acknowledges and reports
// the outcomes of the previous round, then validates and applies the SETs
// returned. It returns how many were applied. SETs that could not be
// applied for a reason on Vigil's side are neither acknowledged nor
// reported, so the transmitter returns them again.
func (r *Receiver) Poll(ctx context.Context, t *Transmitter) (n int, err error) {
	n, _, err = r.pollOnce(ctx, t)
	return n, err
}

func (r *Receiver) pollOnce(ctx context.Context, t *Transmitter) (int, bool, error) {
	tr := r.byIssuer[t.Issuer]
	if tr == nil || tr.Name != t.Name || tr.PollURL == "" {
		return 0, false, fmt.Errorf("receiver: %q is not a configured poll transmitter", t.Name)
	}
	lock := r.pollLock(tr.Name)
	lock.Lock()
	defer lock.Unlock()

	r.mu.Lock()
	sent := r.pending[tr.Name]
	r.mu.Unlock()
	body := pollRequest{MaxEvents: MaxPollEvents, ReturnImmediately: true, Ack: []string{}}
	if sent != nil {
		body.Ack, body.SetErrs = sent.ack, sent.errs
	}
	resp, err := r.postPoll(ctx, tr, &body)
	if err != nil {
		return 0, false, fmt.Errorf("receiver: poll %s: %w", tr.Name, err)
	}
	// The transmitter has our acks and errors now.
	next := &pollAcks{errs: map[string]setError{}}
	applied := 0
	jtis := make([]string, 0, len(resp.Sets))
	for jti := range resp.Sets {
		jtis = append(jtis, jti)
	}
	sort.Strings(jtis)
	for _, jti := range jtis {
		if jti == "" || len(jti) > 256 {
			continue // cannot be acknowledged meaningfully
		}
		t, err := r.receive(ctx, tr, resp.Sets[jti])
		var se *set.Error
		switch {
		case err == nil:
			applied++
			next.ack = append(next.ack, jti)
		case errors.Is(err, errDuplicate):
			next.ack = append(next.ack, jti) // applied before; our ack was lost
		case errors.Is(err, errRetry):
			r.log.Error("ssf: polled SET not applied", "transmitter", tr.Name, "err", err)
		case errors.As(err, &se):
			r.logRefused(tr, t, err)
			next.errs[jti] = setError{Err: se.Code, Description: se.Description}
		}
	}
	r.mu.Lock()
	r.pending[tr.Name] = next
	r.mu.Unlock()
	return applied, resp.MoreAvailable, nil
}

func (r *Receiver) pollLock(name string) *sync.Mutex {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pollLocks == nil {
		r.pollLocks = map[string]*sync.Mutex{}
	}
	if r.pollLocks[name] == nil {
		r.pollLocks[name] = &sync.Mutex{}
	}
	return r.pollLocks[name]
}

func (r *Receiver) postPoll(ctx context.Context, tr *Transmitter, body *pollRequest) (*pollResponse, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tr.PollURL, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if len(tr.PollToken) > 0 {
		req.Header.Set("Authorization", "Bearer "+string(tr.PollToken))
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer drain(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPollBody+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPollBody {
		return nil, errors.New("response too large")
	}
	var out pollResponse
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("response: %w", err)
	}
	if len(out.Sets) > 2*MaxPollEvents {
		return nil, fmt.Errorf("response has %d SETs, asked for at most %d", len(out.Sets), MaxPollEvents)
	}
	return &out, nil
}

// RunPollers polls every poll-mode transmitter until ctx ends: again at
// once while the transmitter has more or acknowledgements are due, every
// PollInterval otherwise, and with doubling backoff (1 s to 5 min) after
// errors.
func (r *Receiver) RunPollers(ctx context.Context) {
	var wg sync.WaitGroup
	for _, tr := range r.polled {
		wg.Go(func() { r.runPoller(ctx, tr) })
	}
	wg.Wait()
}

func (r *Receiver) runPoller(ctx context.Context, tr *Transmitter) {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		_, more, err := r.pollOnce(ctx, tr)
		wait := tr.PollInterval
		switch {
		case err != nil:
			backoff = min(max(2*backoff, initialBackoff), maxBackoff)
			wait = backoff
			if ctx.Err() == nil {
				r.log.Warn("ssf: poll failed", "transmitter", tr.Name, "err", err, "retry_in", wait)
			}
		case more || r.hasPending(tr.Name):
			backoff, wait = 0, 0
		default:
			backoff = 0
		}
		if wait == 0 {
			continue
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
	}
}

// hasPending reports whether acks or errors wait for the next request.
func (r *Receiver) hasPending(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pending[name]
	return p != nil && (len(p.ack) > 0 || len(p.errs) > 0)
}
