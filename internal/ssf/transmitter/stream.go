package transmitter

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/vigil-gw/vigil/internal/store"
)

// Stream statuses (SSF 1.0 section 8.1.2).
const (
	StatusEnabled  = "enabled"
	StatusPaused   = "paused"
	StatusDisabled = "disabled"
)

// handleStream is the configuration endpoint (SSF 1.0 section 8.1.1).
func (t *Transmitter) handleStream(w http.ResponseWriter, r *http.Request, rcv *receiver) error {
	switch r.Method {
	case http.MethodPost:
		return t.createStream(w, r, rcv)
	case http.MethodGet:
		return t.readStreams(w, r, rcv)
	case http.MethodPatch:
		return t.updateStream(w, r, rcv, false)
	case http.MethodPut:
		return t.updateStream(w, r, rcv, true)
	case http.MethodDelete:
		return t.deleteStream(w, r, rcv)
	}
	return errMethod
}

func (t *Transmitter) createStream(w http.ResponseWriter, r *http.Request, rcv *receiver) error {
	req, err := t.readConfig(w, r)
	if err != nil {
		return err
	}
	if req.StreamID != nil {
		return badRequest("stream_id is supplied by the transmitter")
	}
	id := streamID(rcv.Audience)
	req.EventsDelivered = nil // nothing is delivered before the stream exists
	if err := matchSupplied(req, t.view(id, rcv.Audience, storedConfig{})); err != nil {
		return badRequest(err.Error())
	}
	cfg, err := t.apply(req, storedConfig{}, rcv)
	if err != nil {
		return badRequest(err.Error())
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("transmitter: encode stream configuration: %w", err)
	}
	now := t.clock().UTC()
	s := &store.Stream{ID: id, Audience: rcv.Audience, Config: raw, Status: StatusEnabled,
		CreatedAt: now, UpdatedAt: now}
	switch err := t.store.CreateStream(r.Context(), s); {
	case errors.Is(err, store.ErrConflict):
		return &apiError{Status: http.StatusConflict, Code: "conflict",
			Description: "this receiver already has a stream; read it, then update or replace it"}
	case err != nil:
		return err
	}
	t.log.InfoContext(r.Context(), "ssf stream created", "receiver", rcv.Name, "stream_id", id,
		"method", cfg.Delivery.Method)
	return writeJSON(w, http.StatusCreated, t.view(id, rcv.Audience, cfg))
}

func (t *Transmitter) readStreams(w http.ResponseWriter, r *http.Request, rcv *receiver) error {
	if r.URL.Query().Has("stream_id") {
		s, cfg, err := t.loadStream(r, rcv, r.URL.Query().Get("stream_id"))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, t.view(s.ID, s.Audience, cfg))
	}
	streams, err := t.store.ListStreams(r.Context(), rcv.Audience)
	if err != nil {
		return err
	}
	out := make([]*streamView, 0, len(streams))
	for _, s := range streams {
		cfg, err := decodeStored(s.Config)
		if err != nil {
			return err
		}
		out = append(out, t.view(s.ID, s.Audience, cfg))
	}
	return writeJSON(w, http.StatusOK, out)
}

// updateStream serves PATCH (missing members unchanged) and PUT (missing
// receiver-supplied members deleted).
func (t *Transmitter) updateStream(w http.ResponseWriter, r *http.Request, rcv *receiver, replace bool) error {
	req, err := t.readConfig(w, r)
	if err != nil {
		return err
	}
	if req.StreamID == nil {
		return badRequest("stream_id is required")
	}
	s, cur, err := t.loadStream(r, rcv, *req.StreamID)
	if err != nil {
		return err
	}
	if err := matchSupplied(req, t.view(s.ID, s.Audience, cur)); err != nil {
		return badRequest(err.Error())
	}
	from := cur
	if replace {
		from = storedConfig{}
	}
	next, err := t.apply(req, from, rcv)
	if err != nil {
		return badRequest(err.Error())
	}
	if s.Config, err = json.Marshal(next); err != nil {
		return fmt.Errorf("transmitter: encode stream configuration: %w", err)
	}
	s.UpdatedAt = t.clock().UTC()
	if err := t.store.UpdateStream(r.Context(), s); errors.Is(err, store.ErrNotFound) {
		return errNoStream
	} else if err != nil {
		return err
	}
	t.retryNow(r.Context(), s) // a new endpoint may now take what failed before
	return writeJSON(w, http.StatusOK, t.view(s.ID, s.Audience, next))
}

func (t *Transmitter) deleteStream(w http.ResponseWriter, r *http.Request, rcv *receiver) error {
	s, _, err := t.loadStream(r, rcv, r.URL.Query().Get("stream_id"))
	if err != nil {
		return err
	}
	if err := t.store.DeleteStream(r.Context(), s.ID); errors.Is(err, store.ErrNotFound) {
		return errNoStream
	} else if err != nil {
		return err
	}
	t.mu.Lock()
	delete(t.lastVerify, s.ID)
	t.mu.Unlock()
	t.log.InfoContext(r.Context(), "ssf stream deleted", "receiver", rcv.Name, "stream_id", s.ID)
	return noContent(w, http.StatusNoContent)
}

func (t *Transmitter) readConfig(w http.ResponseWriter, r *http.Request) (*configRequest, error) {
	b, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	req, err := decodeConfig(b)
	if err != nil {
		return nil, badRequest(err.Error())
	}
	return req, nil
}
