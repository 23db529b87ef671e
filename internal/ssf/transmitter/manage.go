package transmitter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-gw/vigil/internal/ssf/set"
	"github.com/vigil-gw/vigil/internal/store"
)

// maxSubjects bounds the subjects one stream may hold.
const maxSubjects = 10000

// excludedPrefix marks, under default_subjects ALL, a subject the receiver
// removed. Subject keys start with their format, never with it.
const excludedPrefix = "-"

type statusBody struct {
	StreamID string `json:"stream_id"`
	Status   string `json:"status"`
	Reason   string `json:"reason,omitempty"`
}

// handleStatus reads (GET) and changes (POST) a stream's status.
func (t *Transmitter) handleStatus(w http.ResponseWriter, r *http.Request, rcv *receiver) error {
	switch r.Method {
	case http.MethodGet:
		s, _, err := t.loadStream(r, rcv, r.URL.Query().Get("stream_id"))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, statusBody{StreamID: s.ID, Status: s.Status, Reason: s.Reason})
	case http.MethodPost:
		var req statusBody
		if err := decodeJSON(w, r, &req); err != nil {
			return err
		}
		if !validStatus(req.Status) {
			return badRequest("status must be enabled, paused or disabled")
		}
		if len(req.Reason) > maxReason || !validHeaderValue(req.Reason) {
			return badRequest("reason too long or not printable")
		}
		s, _, err := t.loadStream(r, rcv, req.StreamID)
		if err != nil {
			return err
		}
		if err := t.setStatus(r.Context(), s, req.Status, req.Reason); err != nil {
			return err
		}
		t.log.InfoContext(r.Context(), "ssf stream status set", "receiver", rcv.Name, "stream_id", s.ID,
			"status", s.Status)
		return writeJSON(w, http.StatusOK, statusBody{StreamID: s.ID, Status: s.Status, Reason: s.Reason})
	}
	return errMethod
}

func validStatus(s string) bool {
	return s == StatusEnabled || s == StatusPaused || s == StatusDisabled
}

// SetStreamStatus changes a stream's status on Vigil's own initiative (an
// administrator's action), with the same effects as a receiver's request.
func (t *Transmitter) SetStreamStatus(ctx context.Context, id, status, reason string) error {
	if !validStatus(status) {
		return fmt.Errorf("transmitter: unknown stream status %q", status)
	}
	s, err := t.store.GetStream(ctx, id)
	if err != nil {
		return fmt.Errorf("transmitter: stream %s: %w", id, err)
	}
	return t.setStatus(ctx, s, status, reason)
}

// setStatus stores the new status. A disabled stream holds nothing, so its
// queue is emptied. Any other change is announced with a stream-updated
// SET: queued after what the stream holds, so a paused stream tells of
// the pause when it resumes, in order.
func (t *Transmitter) setStatus(ctx context.Context, s *store.Stream, status, reason string) error {
	old := s.Status
	if old == status && s.Reason == reason {
		return nil
	}
	s.Status, s.Reason, s.UpdatedAt = status, reason, t.clock().UTC()
	if err := t.store.UpdateStream(ctx, s); err != nil {
		return fmt.Errorf("transmitter: set stream status: %w", err)
	}
	if status == StatusDisabled {
		n, err := t.dropOldest(ctx, s.ID, -1)
		if err != nil {
			return err
		}
		if n > 0 {
			t.log.InfoContext(ctx, "ssf stream disabled: queued events dropped", "stream_id", s.ID, "dropped", n)
		}
		return nil
	}
	if old == status {
		return nil
	}
	st, err := set.Build(set.StreamUpdated{Status: status, Reason: reason}, subjectPtr(set.Opaque(s.ID)))
	if err != nil {
		return err
	}
	t.retryNow(ctx, s)
	return t.enqueue(ctx, s, st, "")
}

type subjectBody struct {
	StreamID string          `json:"stream_id"`
	Subject  json.RawMessage `json:"subject"`
	Verified *bool           `json:"verified,omitempty"`
}

// readSubject reads an add or remove subject request.
func (t *Transmitter) readSubject(w http.ResponseWriter, r *http.Request, rcv *receiver) (*store.Stream, *set.Subject, error) {
	var req subjectBody
	if err := decodeJSON(w, r, &req); err != nil {
		return nil, nil, err
	}
	if len(req.Subject) == 0 {
		return nil, nil, badRequest("subject is required")
	}
	var sub set.Subject
	if err := json.Unmarshal(req.Subject, &sub); err != nil {
		return nil, nil, badRequest("subject is not a subject identifier")
	}
	if err := sub.Validate(); err != nil {
		return nil, nil, badRequest("subject is not a valid subject identifier")
	}
	s, _, err := t.loadStream(r, rcv, req.StreamID)
	if err != nil {
		return nil, nil, err
	}
	return s, &sub, nil
}

func (t *Transmitter) handleAddSubject(w http.ResponseWriter, r *http.Request, rcv *receiver) error {
	if r.Method != http.MethodPost {
		return errMethod
	}
	s, sub, err := t.readSubject(w, r, rcv)
	if err != nil {
		return err
	}
	if t.allSubs {
		err = t.store.RemoveStreamSubject(r.Context(), s.ID, excludedPrefix+sub.Key())
		if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
	} else {
		err = t.putSubject(r.Context(), s.ID, sub.Key(), sub)
	}
	if err != nil {
		return err
	}
	return noContent(w, http.StatusOK)
}

func (t *Transmitter) handleRemoveSubject(w http.ResponseWriter, r *http.Request, rcv *receiver) error {
	if r.Method != http.MethodPost {
		return errMethod
	}
	s, sub, err := t.readSubject(w, r, rcv)
	if err != nil {
		return err
	}
	if t.allSubs {
		err = t.putSubject(r.Context(), s.ID, excludedPrefix+sub.Key(), sub)
	} else if err = t.store.RemoveStreamSubject(r.Context(), s.ID, sub.Key()); errors.Is(err, store.ErrNotFound) {
		err = nil // removing what is not there is done already
	}
	if err != nil {
		return err
	}
	return noContent(w, http.StatusNoContent)
}

func (t *Transmitter) putSubject(ctx context.Context, streamID, key string, sub *set.Subject) error {
	have, err := t.store.StreamSubjects(ctx, streamID)
	if err != nil {
		return err
	}
	if len(have) >= maxSubjects {
		return &apiError{Status: http.StatusTooManyRequests, Code: "too_many_subjects",
			Description: fmt.Sprintf("a stream holds at most %d subjects", maxSubjects)}
	}
	raw, err := json.Marshal(sub)
	if err != nil {
		return fmt.Errorf("transmitter: encode subject: %w", err)
	}
	err = t.store.AddStreamSubject(ctx, &store.StreamSubject{StreamID: streamID, Key: key, Subject: raw,
		AddedAt: t.clock().UTC()})
	if errors.Is(err, store.ErrNotFound) {
		return errNoStream
	}
	return err
}

// handleVerify queues a verification SET (SSF 1.0 section 8.1.4).
func (t *Transmitter) handleVerify(w http.ResponseWriter, r *http.Request, rcv *receiver) error {
	if r.Method != http.MethodPost {
		return errMethod
	}
	var req struct {
		StreamID string `json:"stream_id"`
		State    string `json:"state,omitempty"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if len(req.State) > maxVerifyState {
		return badRequest("state too long")
	}
	s, _, err := t.loadStream(r, rcv, req.StreamID)
	if err != nil {
		return err
	}
	if s.Status == StatusDisabled {
		return badRequest("the stream is disabled")
	}
	now := t.clock()
	t.mu.Lock()
	last, seen := t.lastVerify[s.ID]
	if seen && now.Sub(last) < t.minVerify {
		t.mu.Unlock()
		wait := max(time.Second, t.minVerify-now.Sub(last))
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Round(time.Second).Seconds())))
		return &apiError{Status: http.StatusTooManyRequests, Code: "too_many_requests",
			Description: "verification requested too often; see min_verification_interval"}
	}
	t.lastVerify[s.ID] = now
	t.mu.Unlock()
	st, err := set.Build(set.Verification{State: req.State}, subjectPtr(set.Opaque(s.ID)))
	if err != nil {
		return err
	}
	if err := t.enqueue(r.Context(), s, st, ""); err != nil {
		return err
	}
	return noContent(w, http.StatusNoContent)
}

func subjectPtr(s set.Subject) *set.Subject { return &s }
