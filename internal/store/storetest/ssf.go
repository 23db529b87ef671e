package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// SSFBackend keeps the Shared Signals transmitter's streams, their subjects
// and the SETs queued on them (see store.Stream).
type SSFBackend interface {
	CreateStream(ctx context.Context, s *store.Stream) error
	GetStream(ctx context.Context, id string) (*store.Stream, error)
	ListStreams(ctx context.Context, audience string) ([]store.Stream, error)
	UpdateStream(ctx context.Context, s *store.Stream) error
	DeleteStream(ctx context.Context, id string) error

	AddStreamSubject(ctx context.Context, sub *store.StreamSubject) error
	RemoveStreamSubject(ctx context.Context, streamID, key string) error
	StreamSubjects(ctx context.Context, streamID string) ([]store.StreamSubject, error)

	EnqueueEvent(ctx context.Context, e *store.StreamEvent) error
	PendingEvents(ctx context.Context, streamID string, now time.Time, limit int) ([]store.StreamEvent, error)
	CountStreamEvents(ctx context.Context, streamID string) (int, error)
	AckEvents(ctx context.Context, streamID string, jtis []string) (int, error)
	RetryEvent(ctx context.Context, streamID, jti string, attempts int, next time.Time, lastError string) error

	// The change feed, where EnqueueEvent announces what it queued.
	Changes(ctx context.Context, afterSeq int64, limit int) ([]store.Change, error)
	LastChange(ctx context.Context) (int64, error)
}

// RunSSF runs the Shared Signals conformance tests. open must return a new,
// empty store for each call and arrange its cleanup with t.Cleanup.
func RunSSF(t *testing.T, open func(t *testing.T) SSFBackend) {
	tests := []struct {
		name string
		run  func(t *testing.T, b SSFBackend)
	}{
		{"StreamRoundTrip", testStreamRoundTrip},
		{"StreamConflict", testStreamConflict},
		{"StreamNotFound", testStreamNotFound},
		{"StreamIncomplete", testStreamIncomplete},
		{"ListStreams", testListStreams},
		{"UpdateStream", testUpdateStream},
		{"DeleteStreamCascades", testDeleteStreamCascades},
		{"StreamSubjects", testStreamSubjects},
		{"EnqueueEvent", testEnqueueEvent},
		{"EnqueueEventAppendsChange", testEnqueueEventChange},
		{"PendingEventsOrderAndDue", testPendingEvents},
		{"AckEvents", testAckEvents},
		{"RetryEvent", testRetryEvent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

func newStream(id, aud string, created time.Time) *store.Stream {
	return &store.Stream{ID: id, Audience: aud, Config: []byte(`{"events_requested":[]}`),
		Status: "enabled", Reason: "", CreatedAt: created, UpdatedAt: created.Add(time.Minute)}
}

func mustCreateStream(t *testing.T, b SSFBackend, s *store.Stream) {
	t.Helper()
	if err := b.CreateStream(t.Context(), s); err != nil {
		t.Fatalf("CreateStream(%s): %v", s.ID, err)
	}
}

func newEvent(stream, jti string, created time.Time) *store.StreamEvent {
	return &store.StreamEvent{StreamID: stream, JTI: jti, SET: []byte("h.p." + jti),
		CreatedAt: created, NextAttempt: created}
}

func mustEnqueue(t *testing.T, b SSFBackend, e *store.StreamEvent) {
	t.Helper()
	if err := b.EnqueueEvent(t.Context(), e); err != nil {
		t.Fatalf("EnqueueEvent(%s): %v", e.JTI, err)
	}
}

func pendingJTIs(t *testing.T, b SSFBackend, stream string, now time.Time, limit int) []string {
	t.Helper()
	es, err := b.PendingEvents(t.Context(), stream, now, limit)
	if err != nil {
		t.Fatalf("PendingEvents: %v", err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.JTI)
	}
	return out
}

func testStreamRoundTrip(t *testing.T, b SSFBackend) {
	if ss, err := b.ListStreams(t.Context(), ""); err != nil || ss != nil {
		t.Fatalf("empty store lists %#v, %v; want nil", ss, err)
	}
	want := newStream("s1", "app", base.In(time.FixedZone("X", 3600)))
	want.Reason = "set up"
	mustCreateStream(t, b, want)
	got, err := b.GetStream(t.Context(), "s1")
	if err != nil {
		t.Fatalf("GetStream: %v", err)
	}
	utc := *want
	utc.CreatedAt, utc.UpdatedAt = utc.CreatedAt.UTC(), utc.UpdatedAt.UTC()
	mustEqual(t, "stream", *got, utc)
}

func testStreamConflict(t *testing.T, b SSFBackend) {
	first := newStream("s1", "app", base)
	mustCreateStream(t, b, first)
	again := newStream("s1", "other", base.Add(time.Hour))
	if err := b.CreateStream(t.Context(), again); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("CreateStream(duplicate) = %v, want ErrConflict", err)
	}
	got, err := b.GetStream(t.Context(), "s1")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "stream after conflict (first kept)", *got, *first)
}

func testStreamNotFound(t *testing.T, b SSFBackend) {
	ctx := t.Context()
	if _, err := b.GetStream(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetStream = %v, want ErrNotFound", err)
	}
	if err := b.UpdateStream(ctx, newStream("nope", "app", base)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateStream = %v, want ErrNotFound", err)
	}
	if err := b.DeleteStream(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteStream = %v, want ErrNotFound", err)
	}
	sub := &store.StreamSubject{StreamID: "nope", Key: "k", Subject: []byte(`{}`), AddedAt: base}
	if err := b.AddStreamSubject(ctx, sub); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AddStreamSubject = %v, want ErrNotFound", err)
	}
	if err := b.EnqueueEvent(ctx, newEvent("nope", "j", base)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EnqueueEvent = %v, want ErrNotFound", err)
	}
	if err := b.RetryEvent(ctx, "nope", "j", 1, base, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RetryEvent = %v, want ErrNotFound", err)
	}
	if subs, err := b.StreamSubjects(ctx, "nope"); err != nil || subs != nil {
		t.Errorf("StreamSubjects = %v, %v; want nil, nil", subs, err)
	}
}

func testStreamIncomplete(t *testing.T, b SSFBackend) {
	ctx := t.Context()
	for i, mut := range []func(*store.Stream){
		func(s *store.Stream) { s.ID = "" },
		func(s *store.Stream) { s.Audience = "" },
		func(s *store.Stream) { s.Config = nil },
		func(s *store.Stream) { s.Status = "running" },
		func(s *store.Stream) { s.CreatedAt = time.Time{} },
		func(s *store.Stream) { s.UpdatedAt = time.Time{} },
	} {
		s := newStream(fmt.Sprintf("s%d", i), "app", base)
		mut(s)
		if err := b.CreateStream(ctx, s); err == nil || errors.Is(err, store.ErrConflict) {
			t.Errorf("case %d: CreateStream(incomplete) = %v, want a validation error", i, err)
		}
	}
	if ss, _ := b.ListStreams(ctx, ""); len(ss) != 0 {
		t.Fatalf("incomplete streams were stored: %+v", ss)
	}
	mustCreateStream(t, b, newStream("s", "app", base))
	for i, e := range []*store.StreamEvent{
		{StreamID: "s", SET: []byte("x"), CreatedAt: base, NextAttempt: base},
		{StreamID: "s", JTI: "j", CreatedAt: base, NextAttempt: base},
		{StreamID: "s", JTI: "j", SET: []byte("x"), NextAttempt: base},
		{StreamID: "s", JTI: "j", SET: []byte("x"), CreatedAt: base},
	} {
		if err := b.EnqueueEvent(ctx, e); err == nil || errors.Is(err, store.ErrConflict) {
			t.Errorf("event case %d: EnqueueEvent(incomplete) = %v, want a validation error", i, err)
		}
	}
	if err := b.AddStreamSubject(ctx, &store.StreamSubject{StreamID: "s", Subject: []byte(`{}`), AddedAt: base}); err == nil {
		t.Error("AddStreamSubject without a key succeeded")
	}
}

func testListStreams(t *testing.T, b SSFBackend) {
	mustCreateStream(t, b, newStream("a1", "app-a", base))
	mustCreateStream(t, b, newStream("b1", "app-b", base.Add(time.Hour)))
	mustCreateStream(t, b, newStream("a3", "app-a", base.Add(2*time.Hour)))
	mustCreateStream(t, b, newStream("a2", "app-a", base.Add(2*time.Hour)))
	ids := func(aud string) []string {
		ss, err := b.ListStreams(t.Context(), aud)
		if err != nil {
			t.Fatalf("ListStreams(%q): %v", aud, err)
		}
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	mustEqual(t, "all streams", ids(""), []string{"a2", "a3", "b1", "a1"})
	mustEqual(t, "app-a streams", ids("app-a"), []string{"a2", "a3", "a1"})
	mustEqual(t, "unknown audience", ids("app-z"), []string(nil))
}

func testUpdateStream(t *testing.T, b SSFBackend) {
	orig := newStream("s1", "app", base)
	mustCreateStream(t, b, orig)
	upd := *orig
	upd.Audience = "someone-else" // never changes
	upd.CreatedAt = base.Add(-time.Hour)
	upd.Config = []byte(`{"events_requested":["x"]}`)
	upd.Status, upd.Reason = "paused", "maintenance"
	upd.UpdatedAt = base.Add(time.Hour)
	if err := b.UpdateStream(t.Context(), &upd); err != nil {
		t.Fatalf("UpdateStream: %v", err)
	}
	got, err := b.GetStream(t.Context(), "s1")
	if err != nil {
		t.Fatal(err)
	}
	want := upd
	want.Audience, want.CreatedAt = orig.Audience, orig.CreatedAt
	mustEqual(t, "updated stream", *got, want)
	bad := want
	bad.Status = "stopped"
	if err := b.UpdateStream(t.Context(), &bad); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateStream(bad status) = %v, want a validation error", err)
	}
}

func testDeleteStreamCascades(t *testing.T, b SSFBackend) {
	ctx := t.Context()
	mustCreateStream(t, b, newStream("s1", "app", base))
	mustCreateStream(t, b, newStream("s2", "app", base))
	for _, id := range []string{"s1", "s2"} {
		if err := b.AddStreamSubject(ctx, &store.StreamSubject{StreamID: id, Key: "k", Subject: []byte(`{"a":1}`), AddedAt: base}); err != nil {
			t.Fatal(err)
		}
		mustEnqueue(t, b, newEvent(id, "j1", base))
	}
	if err := b.DeleteStream(ctx, "s1"); err != nil {
		t.Fatalf("DeleteStream: %v", err)
	}
	if _, err := b.GetStream(ctx, "s1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetStream after delete = %v", err)
	}
	// A stream created again with the same ID starts empty.
	mustCreateStream(t, b, newStream("s1", "app", base))
	if subs, _ := b.StreamSubjects(ctx, "s1"); subs != nil {
		t.Errorf("subjects survived the delete: %+v", subs)
	}
	if n, _ := b.CountStreamEvents(ctx, "s1"); n != 0 {
		t.Errorf("%d events survived the delete", n)
	}
	// The other stream is untouched.
	if subs, _ := b.StreamSubjects(ctx, "s2"); len(subs) != 1 {
		t.Errorf("other stream's subjects: %+v", subs)
	}
	mustEqual(t, "other stream's events", pendingJTIs(t, b, "s2", base, 0), []string{"j1"})
}

func testStreamSubjects(t *testing.T, b SSFBackend) {
	ctx := t.Context()
	mustCreateStream(t, b, newStream("s1", "app", base))
	add := func(key, js string, at time.Time) {
		t.Helper()
		if err := b.AddStreamSubject(ctx, &store.StreamSubject{StreamID: "s1", Key: key, Subject: []byte(js), AddedAt: at}); err != nil {
			t.Fatalf("AddStreamSubject(%s): %v", key, err)
		}
	}
	add("email:b@example.com", `{"format":"email","email":"b@example.com"}`, base)
	add("email:a@example.com", `{"format":"email","email":"a@example.com"}`, base.Add(time.Hour))
	add("email:b@example.com", `{"changed":true}`, base.Add(2*time.Hour)) // idempotent: first kept
	subs, err := b.StreamSubjects(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "subjects", subs, []store.StreamSubject{
		{StreamID: "s1", Key: "email:a@example.com", Subject: []byte(`{"format":"email","email":"a@example.com"}`), AddedAt: base.Add(time.Hour)},
		{StreamID: "s1", Key: "email:b@example.com", Subject: []byte(`{"format":"email","email":"b@example.com"}`), AddedAt: base},
	})
	if err := b.RemoveStreamSubject(ctx, "s1", "email:a@example.com"); err != nil {
		t.Fatalf("RemoveStreamSubject: %v", err)
	}
	if err := b.RemoveStreamSubject(ctx, "s1", "email:a@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RemoveStreamSubject(again) = %v, want ErrNotFound", err)
	}
	if subs, _ := b.StreamSubjects(ctx, "s1"); len(subs) != 1 || subs[0].Key != "email:b@example.com" {
		t.Fatalf("subjects after remove: %+v", subs)
	}
}

func testEnqueueEvent(t *testing.T, b SSFBackend) {
	ctx := t.Context()
	mustCreateStream(t, b, newStream("s1", "app", base))
	mustCreateStream(t, b, newStream("s2", "app", base))
	want := newEvent("s1", "j1", base.In(time.FixedZone("X", -7200)))
	want.Attempts, want.LastError = 2, "earlier failure"
	mustEnqueue(t, b, want)
	dup := newEvent("s1", "j1", base.Add(time.Hour))
	if err := b.EnqueueEvent(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("EnqueueEvent(duplicate) = %v, want ErrConflict", err)
	}
	mustEnqueue(t, b, newEvent("s2", "j1", base)) // the same JTI on another stream is another event
	got, err := b.PendingEvents(ctx, "s1", base, 0)
	if err != nil {
		t.Fatal(err)
	}
	utc := *want
	utc.CreatedAt, utc.NextAttempt = utc.CreatedAt.UTC(), utc.NextAttempt.UTC()
	mustEqual(t, "pending", got, []store.StreamEvent{utc})
	for id, n := range map[string]int{"s1": 1, "s2": 1, "none": 0} {
		if c, err := b.CountStreamEvents(ctx, id); err != nil || c != n {
			t.Errorf("CountStreamEvents(%s) = %d, %v; want %d", id, c, err, n)
		}
	}
}

// testEnqueueEventChange: a queued SET appends an ssf-queued change named
// by its stream, at its CreatedAt; a refused one appends nothing.
func testEnqueueEventChange(t *testing.T, b SSFBackend) {
	ctx := t.Context()
	mustCreateStream(t, b, newStream("s1", "app", base))
	start, err := b.LastChange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustEnqueue(t, b, newEvent("s1", "j1", base.Add(time.Second)))
	if err := b.EnqueueEvent(ctx, newEvent("s1", "j1", base)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("EnqueueEvent(duplicate) = %v, want ErrConflict", err)
	}
	if err := b.EnqueueEvent(ctx, newEvent("nope", "j2", base)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("EnqueueEvent(no stream) = %v, want ErrNotFound", err)
	}
	cs, err := b.Changes(ctx, start, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 {
		t.Fatalf("changes after one queued SET: %+v, want one", cs)
	}
	c := cs[0]
	c.Seq = 0
	mustEqual(t, "change", c, store.Change{Kind: store.ChangeSSFQueued, Key: "s1", At: base.Add(time.Second)})
}

func testPendingEvents(t *testing.T, b SSFBackend) {
	mustCreateStream(t, b, newStream("s1", "app", base))
	mustEnqueue(t, b, newEvent("s1", "c", base.Add(2*time.Second)))
	mustEnqueue(t, b, newEvent("s1", "a", base))
	mustEnqueue(t, b, newEvent("s1", "b2", base.Add(time.Second)))
	mustEnqueue(t, b, newEvent("s1", "b1", base.Add(time.Second)))
	later := newEvent("s1", "later", base)
	later.NextAttempt = base.Add(time.Hour)
	mustEnqueue(t, b, later)

	mustEqual(t, "due before any", pendingJTIs(t, b, "s1", base.Add(-time.Microsecond), 0), []string(nil))
	mustEqual(t, "due at base", pendingJTIs(t, b, "s1", base, 0), []string{"a"})
	mustEqual(t, "due at +2s", pendingJTIs(t, b, "s1", base.Add(2*time.Second), 0), []string{"a", "b1", "b2", "c"})
	mustEqual(t, "limit 2", pendingJTIs(t, b, "s1", base.Add(2*time.Second), 2), []string{"a", "b1"})
	mustEqual(t, "due at +1h", pendingJTIs(t, b, "s1", base.Add(time.Hour), 0), []string{"a", "later", "b1", "b2", "c"})
	mustEqual(t, "other stream", pendingJTIs(t, b, "s2", base.Add(time.Hour), 0), []string(nil))
}

func testAckEvents(t *testing.T, b SSFBackend) {
	ctx := t.Context()
	mustCreateStream(t, b, newStream("s1", "app", base))
	mustCreateStream(t, b, newStream("s2", "app", base))
	var all []string
	for i := range 450 { // more than one batch of parameters
		j := fmt.Sprintf("j%03d", i)
		all = append(all, j)
		mustEnqueue(t, b, newEvent("s1", j, base.Add(time.Duration(i)*time.Microsecond)))
	}
	mustEnqueue(t, b, newEvent("s2", "j000", base))
	if n, err := b.AckEvents(ctx, "s1", nil); err != nil || n != 0 {
		t.Fatalf("AckEvents(none) = %d, %v", n, err)
	}
	n, err := b.AckEvents(ctx, "s1", append(all[:449:449], "unknown"))
	if err != nil || n != 449 {
		t.Fatalf("AckEvents = %d, %v; want 449", n, err)
	}
	mustEqual(t, "left on s1", pendingJTIs(t, b, "s1", base.Add(time.Hour), 0), []string{"j449"})
	mustEqual(t, "s2 untouched", pendingJTIs(t, b, "s2", base, 0), []string{"j000"})
	if n, err := b.AckEvents(ctx, "s1", []string{"j449", "j449"}); err != nil || n != 1 {
		t.Fatalf("AckEvents(repeated jti) = %d, %v; want 1", n, err)
	}
}

func testRetryEvent(t *testing.T, b SSFBackend) {
	ctx := t.Context()
	mustCreateStream(t, b, newStream("s1", "app", base))
	mustEnqueue(t, b, newEvent("s1", "j1", base))
	next := base.Add(30 * time.Second)
	if err := b.RetryEvent(ctx, "s1", "j1", 3, next, "HTTP 500"); err != nil {
		t.Fatalf("RetryEvent: %v", err)
	}
	mustEqual(t, "not due before next", pendingJTIs(t, b, "s1", next.Add(-time.Microsecond), 0), []string(nil))
	got, err := b.PendingEvents(ctx, "s1", next, 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("PendingEvents = %v, %v", got, err)
	}
	want := *newEvent("s1", "j1", base)
	want.Attempts, want.NextAttempt, want.LastError = 3, next, "HTTP 500"
	mustEqual(t, "retried event", got[0], want)
	if err := b.RetryEvent(ctx, "s1", "missing", 1, next, ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RetryEvent(missing) = %v, want ErrNotFound", err)
	}
}
