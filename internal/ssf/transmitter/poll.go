package transmitter

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

const (
	// pollWait is how long a poll without returnImmediately waits for a
	// SET before answering with none (RFC 8936 long polling).
	pollWait = 20 * time.Second
	// pollRedeliver is how long a SET handed out by poll and not yet
	// acknowledged stays out of later responses.
	pollRedeliver = 30 * time.Second
)

// pollRequest is an RFC 8936 section 2.4 poll.
type pollRequest struct {
	MaxEvents         *int              `json:"maxEvents"`
	ReturnImmediately bool              `json:"returnImmediately"`
	Ack               []string          `json:"ack"`
	SetErrs           map[string]setErr `json:"setErrs"`
}

type setErr struct {
	Err         string `json:"err"`
	Description string `json:"description"`
}

type pollResponse struct {
	Sets          map[string]string `json:"sets"`
	MoreAvailable bool              `json:"moreAvailable"`
}

// handlePoll serves poll delivery for one stream: acknowledgements and
// reported errors first, then up to maxEvents due SETs, oldest first.
func (t *Transmitter) handlePoll(w http.ResponseWriter, r *http.Request, rcv *receiver) error {
	if r.Method != http.MethodPost {
		return errMethod
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req pollRequest
	if len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			return badRequest("request body is not an RFC 8936 poll request")
		}
	}
	switch {
	case req.MaxEvents != nil && *req.MaxEvents < 0:
		return badRequest("maxEvents must not be negative")
	case len(req.Ack)+len(req.SetErrs) > maxPollAcks:
		return badRequest("too many acknowledgements in one poll")
	}
	s, cfg, err := t.loadStream(r, rcv, r.PathValue("stream_id"))
	if err != nil {
		return err
	}
	if cfg.Delivery.Method != MethodPoll {
		return badRequest("the stream is not delivered by poll")
	}
	if err := t.settle(r.Context(), s.ID, &req); err != nil {
		return err
	}
	limit := defaultPollEvents
	if req.MaxEvents != nil {
		limit = min(*req.MaxEvents, maxPollEvents)
	}
	resp := pollResponse{Sets: map[string]string{}}
	if limit == 0 {
		return writeJSON(w, http.StatusOK, resp)
	}
	deadline := time.NewTimer(t.pollWait)
	defer deadline.Stop()
	for {
		// Wait on the signal taken before reading, so no queued SET is
		// missed; read the stream again, its status may have changed.
		wake := t.queued.wait()
		cur, err := t.store.GetStream(r.Context(), s.ID)
		if errors.Is(err, store.ErrNotFound) {
			return errNoStream
		} else if err != nil {
			return err
		}
		var es []store.StreamEvent
		if cur.Status == StatusEnabled {
			if es, err = t.store.PendingEvents(r.Context(), s.ID, t.clock(), limit+1); err != nil {
				return err
			}
		}
		if len(es) > 0 || req.ReturnImmediately {
			if len(es) > limit {
				es, resp.MoreAvailable = es[:limit], true
			}
			if err := t.handOut(r.Context(), s.ID, es, resp.Sets); err != nil {
				return err
			}
			return writeJSON(w, http.StatusOK, resp)
		}
		select {
		case <-wake:
		case <-deadline.C:
			return writeJSON(w, http.StatusOK, resp)
		case <-r.Context().Done():
			return nil
		}
	}
}

// settle removes the SETs the receiver acknowledged or reported errors
// for; the errors are logged, since no one else will see them.
func (t *Transmitter) settle(ctx context.Context, streamID string, req *pollRequest) error {
	done := append([]string(nil), req.Ack...)
	for jti, e := range req.SetErrs {
		t.log.WarnContext(ctx, "ssf receiver rejected a SET", "stream_id", streamID, "jti", clip(jti, 64),
			"err", clip(e.Err, 64), "description", clip(e.Description, maxErrDescription))
		done = append(done, jti)
	}
	if len(done) == 0 {
		return nil
	}
	_, err := t.store.AckEvents(ctx, streamID, done)
	return err
}

// handOut adds es to sets and keeps them out of the next responses for a
// while: the receiver acknowledges them in its next poll, or gets them
// again after pollRedeliver.
func (t *Transmitter) handOut(ctx context.Context, streamID string, es []store.StreamEvent, sets map[string]string) error {
	again := t.clock().Add(pollRedeliver)
	for _, e := range es {
		sets[e.JTI] = string(e.SET)
		err := t.store.RetryEvent(ctx, streamID, e.JTI, e.Attempts, again, "")
		if err != nil && !errors.Is(err, store.ErrNotFound) { // acknowledged meanwhile
			return err
		}
	}
	return nil
}

// clip bounds outside text before it is logged.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
