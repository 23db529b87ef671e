package transmitter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-gw/vigil/internal/ssf/set"
	"github.com/vigil-gw/vigil/internal/store"
)

// Event is something Vigil tells receivers about a subject.
type Event struct {
	Type    string      // one of the CAEP event types Vigil supports
	Subject set.Subject // the user, or a complex subject with the user member
	// Payload is the event object: a set payload type (set.SessionRevoked,
	// set.RiskLevelChange, ...), json.RawMessage, or anything that encodes
	// to a JSON object; nil for {}.
	Payload any
	Txn     string // ties SETs of one cause together; made up when empty
}

// farFuture is after every NextAttempt, to read a whole queue.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// Emit signs one SET per stream that wants ev (not disabled, the event type
// among its events_delivered, the subject added to it or, with default
// subjects ALL, not removed from it) and queues it. It returns how many it
// queued; on errors it still queues what it can and joins the errors.
func (t *Transmitter) Emit(ctx context.Context, ev Event) (int, error) {
	if !slices.Contains(userEvents, ev.Type) {
		return 0, fmt.Errorf("transmitter: event type %q is not one Vigil emits", ev.Type)
	}
	if err := ev.Subject.Validate(); err != nil {
		return 0, fmt.Errorf("transmitter: event subject: %w", err)
	}
	payload, err := encodePayload(ev.Type, ev.Payload)
	if err != nil {
		return 0, err
	}
	if ev.Txn == "" {
		if ev.Txn, err = t.newID(); err != nil {
			return 0, err
		}
	}
	streams, err := t.store.ListStreams(ctx, "")
	if err != nil {
		return 0, fmt.Errorf("transmitter: list streams: %w", err)
	}
	var (
		n    int
		errs []error
	)
	for i := range streams {
		s := &streams[i]
		ok, err := t.wants(ctx, s, ev.Type, &ev.Subject)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			continue
		}
		sub := ev.Subject
		st := &set.SET{Subject: &sub, Event: ev.Type, Payload: payload}
		if err := t.enqueue(ctx, s, st, ev.Txn); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// encodePayload returns the event object of ev as JSON, checking that a
// typed payload is of the event's type and complete.
func encodePayload(typ string, p any) (json.RawMessage, error) {
	if p == nil {
		return json.RawMessage("{}"), nil
	}
	if ep, ok := p.(set.EventPayload); ok {
		if ep.EventType() != typ {
			return nil, fmt.Errorf("transmitter: payload is for %s, not %s", ep.EventType(), typ)
		}
		if v, ok := p.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return nil, fmt.Errorf("transmitter: payload: %w", err)
			}
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("transmitter: encode payload: %w", err)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		return nil, errors.New("transmitter: payload must encode to a JSON object")
	}
	return b, nil
}

// wants reports whether stream s takes an event of typ about sub.
func (t *Transmitter) wants(ctx context.Context, s *store.Stream, typ string, sub *set.Subject) (bool, error) {
	if s.Status == StatusDisabled {
		return false, nil
	}
	cfg, err := decodeStored(s.Config)
	if err != nil {
		return false, err
	}
	if !slices.Contains(delivered(cfg.EventsRequested), typ) {
		return false, nil
	}
	subs, err := t.store.StreamSubjects(ctx, s.ID)
	if err != nil {
		return false, fmt.Errorf("transmitter: stream subjects: %w", err)
	}
	for _, ss := range subs {
		excluded := len(ss.Key) > 0 && ss.Key[:1] == excludedPrefix
		if excluded != t.allSubs {
			continue // an exclusion under NONE, or an addition under ALL: left from a reconfiguration
		}
		var added set.Subject
		if err := json.Unmarshal(ss.Subject, &added); err != nil {
			t.log.WarnContext(ctx, "ssf: stored stream subject unreadable", "stream_id", s.ID, "err", err)
			continue
		}
		if matches(&added, sub) {
			return !t.allSubs, nil
		}
	}
	return t.allSubs, nil
}

// matches reports whether a subject added to a stream covers an event's
// subject. Aliases match through any of their identifiers. A simple
// subject stands for the complex subject with it as the user, so that a
// user added to a stream gets the events about that user's sessions too.
// Complex subjects match as SSF 1.0 section 8.1.3.1 says (every member
// present in both is identical), with one more condition: at least one
// member is present in both, so that a subject naming only a tenant does
// not draw events about subjects that name no tenant at all.
func matches(added, ev *set.Subject) bool {
	if ev.Format == set.FormatAliases {
		return slices.ContainsFunc(ev.Identifiers, func(id set.Subject) bool { return matches(added, &id) })
	}
	if added.Format == set.FormatAliases {
		return slices.ContainsFunc(added.Identifiers, func(id set.Subject) bool { return matches(&id, ev) })
	}
	a, e := members(added), members(ev)
	shared := false
	for i := range a {
		if a[i] == nil || e[i] == nil {
			continue
		}
		if !sameSubject(a[i], e[i]) {
			return false
		}
		shared = true
	}
	return shared
}

// sameSubject compares two members, which may themselves be aliases.
func sameSubject(a, b *set.Subject) bool {
	if a.Format == set.FormatAliases || b.Format == set.FormatAliases {
		return matches(a, b)
	}
	return a.Key() == b.Key()
}

// members returns a subject's complex members in a fixed order; a simple
// subject is the user.
func members(s *set.Subject) [7]*set.Subject {
	if s.Format != set.FormatComplex {
		return [7]*set.Subject{s}
	}
	return [7]*set.Subject{s.User, s.Session, s.Device, s.Application, s.Tenant, s.OrgUnit, s.Group}
}

// enqueue signs st for stream s and queues it, dropping the stream's
// oldest SETs beyond the queue bound.
func (t *Transmitter) enqueue(ctx context.Context, s *store.Stream, st *set.SET, txn string) error {
	jti, err := t.newID()
	if err != nil {
		return err
	}
	st.Issuer, st.ID, st.IssuedAt, st.Audience, st.Txn = t.issuer, jti, t.clock(), []string{s.Audience}, txn
	raw, err := t.signer.Sign(st)
	if err != nil {
		return fmt.Errorf("transmitter: sign SET: %w", err)
	}
	n, err := t.store.CountStreamEvents(ctx, s.ID)
	if err != nil {
		return fmt.Errorf("transmitter: count queued SETs: %w", err)
	}
	if n >= t.maxQueued {
		dropped, err := t.dropOldest(ctx, s.ID, n-t.maxQueued+1)
		if err != nil {
			return err
		}
		t.log.WarnContext(ctx, "ssf stream queue full: oldest events dropped", "stream_id", s.ID,
			"status", s.Status, "dropped", dropped)
	}
	// CreatedAt orders the queue; the clock says when the SET is due.
	err = t.store.EnqueueEvent(ctx, &store.StreamEvent{StreamID: s.ID, JTI: jti, SET: []byte(raw),
		CreatedAt: t.stamp(), NextAttempt: t.clock()})
	if err != nil {
		return fmt.Errorf("transmitter: queue SET: %w", err)
	}
	t.queued.notify()
	return nil
}

// dropOldest deletes up to n of the stream's oldest queued SETs (all when
// n < 0) and returns how many it deleted.
func (t *Transmitter) dropOldest(ctx context.Context, streamID string, n int) (int, error) {
	total := 0
	for n < 0 || total < n {
		batch := 500
		if n >= 0 {
			batch = min(batch, n-total)
		}
		es, err := t.store.PendingEvents(ctx, streamID, farFuture, batch)
		if err != nil {
			return total, fmt.Errorf("transmitter: read queue: %w", err)
		}
		if len(es) == 0 {
			break
		}
		jtis := make([]string, len(es))
		for i, e := range es {
			jtis[i] = e.JTI
		}
		k, err := t.store.AckEvents(ctx, streamID, jtis)
		if err != nil {
			return total, fmt.Errorf("transmitter: drop SETs: %w", err)
		}
		total += k
		if k == 0 {
			break
		}
	}
	return total, nil
}
