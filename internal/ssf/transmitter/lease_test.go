package transmitter

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/ssf/set"
	"github.com/vigil-gw/vigil/internal/store"
)

// outageStore is a real store whose lease calls fail while down is set,
// as they do when the database stops answering.
type outageStore struct {
	Store
	down atomic.Bool
}

var errOutage = errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")

func (s *outageStore) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, time.Time, error) {
	if s.down.Load() {
		return false, time.Time{}, errOutage
	}
	return s.Store.AcquireLease(ctx, name, holder, ttl, now)
}

// logBuffer collects log lines from several goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// grep returns the lines that contain s.
func (l *logBuffer) grep(s string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.b.String(), "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func (l *logBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

// TestPushStopsWhileStoreFails: a replica that cannot renew its lease
// stops pushing at once, says so once however long the outage lasts, and
// pushes again when the store answers.
func TestPushStopsWhileStoreFails(t *testing.T) {
	const ttl = 150 * time.Millisecond
	var (
		out  *outageStore
		logs logBuffer
	)
	e := newEnv(t, func(o *Options) {
		out = &outageStore{Store: o.Store}
		o.Store, o.LeaseTTL = out, ttl
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	v := e.createStream(tokenA, e.pushDelivery(), set.CAEPSessionRevoked)
	e.addSubject(tokenA, v.StreamID, alice)
	e.run()
	waitFor(t, "the replica to push", e.tr.Pushing)

	out.down.Store(true)
	waitFor(t, "pushing to stop", func() bool { return !e.tr.Pushing() })
	e.emit(set.CAEPSessionRevoked, alice, nil)
	time.Sleep(2 * ttl) // several failed renewals
	if n := len(e.push.received()); n != 0 || e.tr.Pushing() {
		t.Fatalf("while the store failed: %d pushes, pushing %v", n, e.tr.Pushing())
	}

	out.down.Store(false)
	waitFor(t, "pushing to resume", e.tr.Pushing)
	waitFor(t, "the SET queued during the outage", func() bool { return len(e.push.received()) == 1 })
	for msg, want := range map[string]int{
		"this replica stopped pushing": 1, // once, for several failed renewals
		"this replica now pushes":      2, // at start and after the outage
		"cannot check the push lease":  0, // the stop said it already
		"lost the push role":           0,
	} {
		if got := logs.count(msg); got != want {
			t.Errorf("%q logged %d times, want %d", msg, got, want)
		}
	}
	if logs.count("connection refused") != 1 {
		t.Error("the store's error was not logged with the stop")
	}
}

// jtis returns the jti of each SET pushed so far, in order.
func (e *env) jtis() []string {
	var out []string
	for _, r := range e.push.received() {
		out = append(out, e.claims(r.body)["jti"].(string))
	}
	return out
}

// queued returns the jti of each SET the stream holds, oldest first.
func (e *env) queued(streamID string) []string {
	es, err := e.db.PendingEvents(context.Background(), streamID, farFuture, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, ev := range es {
		out = append(out, ev.JTI)
	}
	return out
}

// TestOrderKeptAcrossPushers: a SET waiting for its retry holds back the
// SETs behind it for any replica that takes over the pushing (the queue
// says so, not the first replica's memory); a new endpoint set through
// any replica lets the waiting SET through at once.
func TestOrderKeptAcrossPushers(t *testing.T) {
	e := newEnv(t, nil)
	v := e.createStream(tokenA, e.pushDelivery(), set.CAEPSessionRevoked)
	e.addSubject(tokenA, v.StreamID, alice)
	other, err := New(e.opts) // another replica on the same store
	if err != nil {
		t.Fatal(err)
	}

	e.push.answer(answer{status: http.StatusServiceUnavailable})
	e.emit(set.CAEPSessionRevoked, alice, nil)
	e.tr.deliverRound(t.Context()) // fails: retry in 1 s
	e.emit(set.CAEPSessionRevoked, alice, nil)
	want := e.queued(v.StreamID)
	other.deliverRound(t.Context())
	if n := len(e.push.received()); n != 1 {
		t.Fatalf("the replica taking over pushed %d SETs before the retry was due; want none", n-1)
	}
	e.clock.Advance(backoff(1))
	other.deliverRound(t.Context())
	if got := e.jtis(); len(got) != 3 || got[0] != want[0] || got[1] != want[0] || got[2] != want[1] {
		t.Fatalf("pushed %v; want the retried SET then the next: %v", got, want)
	}

	// Failing again; the receiver moves its endpoint through this replica,
	// and the one that pushes sends the waiting SET without waiting.
	e.push.answer(answer{status: http.StatusServiceUnavailable})
	e.emit(set.CAEPSessionRevoked, alice, nil)
	other.deliverRound(t.Context())
	e.emit(set.CAEPSessionRevoked, alice, nil)
	want = e.queued(v.StreamID)
	e.mustCall(http.StatusOK, "PATCH", "/.vigil/ssf/stream", tokenA, map[string]any{"stream_id": v.StreamID,
		"delivery": Delivery{Method: MethodPush, EndpointURL: e.push.srv.URL + "/events/b"}}, nil)
	other.deliverRound(t.Context())
	if got := e.jtis(); len(got) != 6 || got[4] != want[0] || got[5] != want[1] {
		t.Fatalf("after the new endpoint pushed %v; want ... %v", got, want)
	}
	if n := e.count(v.StreamID); n != 0 {
		t.Fatalf("%d SETs left", n)
	}
}

// TestApplyWakes: an ssf-queued change wakes a waiting long poll, as a SET
// queued here does; other kinds do not.
func TestApplyWakes(t *testing.T) {
	e := newEnv(t, nil)
	wake := e.tr.queued.wait()
	e.tr.Apply(store.Change{Seq: 1, Kind: store.ChangeRisk, Key: "u1"})
	select {
	case <-wake:
		t.Fatal("a risk change woke the transmitter")
	default:
	}
	e.tr.Apply(store.Change{Seq: 2, Kind: store.ChangeSSFQueued, Key: "stream"})
	select {
	case <-wake:
	default:
		t.Fatal("an ssf-queued change did not wake the transmitter")
	}
}
