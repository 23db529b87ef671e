package receiver

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/ssf/set"
)

// pollServer is an RFC 8936 transmitter's poll endpoint: it hands out
// queued SETs a few at a time and forgets those acknowledged or reported.
type pollServer struct {
	t       testing.TB
	token   string
	batch   int
	mu      sync.Mutex
	queue   map[string]string // jti -> SET
	acks    []string
	setErrs map[string]setError
	reqs    []pollRequest
	srv     *httptest.Server
}

func newPollServer(t testing.TB, token string, batch int) *pollServer {
	p := &pollServer{t: t, token: token, batch: batch, queue: map[string]string{}, setErrs: map[string]setError{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pollServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer "+p.token ||
		r.Header.Get("Content-Type") != "application/json" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var req pollRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reqs = append(p.reqs, req)
	for _, jti := range req.Ack {
		p.acks = append(p.acks, jti)
		delete(p.queue, jti)
	}
	for jti, e := range req.SetErrs {
		p.setErrs[jti] = e
		delete(p.queue, jti)
	}
	jtis := make([]string, 0, len(p.queue))
	for jti := range p.queue {
		jtis = append(jtis, jti)
	}
	sort.Strings(jtis)
	n := min(p.batch, req.MaxEvents, len(jtis))
	resp := pollResponse{Sets: map[string]string{}, MoreAvailable: len(jtis) > n}
	for _, jti := range jtis[:n] {
		resp.Sets[jti] = p.queue[jti]
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func (p *pollServer) add(jti, raw string) {
	p.mu.Lock()
	p.queue[jti] = raw
	p.mu.Unlock()
}

func (p *pollServer) state() (acks []string, errs map[string]setError, queued int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	errs = map[string]setError{}
	for k, v := range p.setErrs {
		errs[k] = v
	}
	return append([]string(nil), p.acks...), errs, len(p.queue)
}

func pollFixture(t *testing.T, batch int) (*fixture, *pollServer, *Transmitter) {
	ps := newPollServer(t, "poll-secret", batch)
	f := newFixture(t, func(o *Options) {
		o.Transmitters[0].PollURL = ps.srv.URL + "/poll"
		o.Transmitters[0].PollToken = []byte("poll-secret")
		o.Transmitters[0].PollInterval = 10 * time.Millisecond
		o.HTTPClient = ps.srv.Client()
	})
	return f, ps, f.recv.polled[0]
}

func TestPollRoundTrip(t *testing.T) {
	f, ps, tr := pollFixture(t, 2)
	ctx := context.Background()
	for _, jti := range []string{"a1", "a2", "a3"} {
		ps.add(jti, sign(t, f.idp, event(jti)))
	}
	wrongAud := event("a4")
	wrongAud.Audience = []string{"https://other"}
	ps.add("a4", sign(t, f.idp, wrongAud))

	// Round 1: a1, a2 applied; more available.
	n, err := f.recv.Poll(ctx, tr)
	if err != nil || n != 2 {
		t.Fatalf("round 1: n=%d err=%v", n, err)
	}
	// Round 2: acks a1, a2; gets a3 (applied) and a4 (refused).
	if n, err = f.recv.Poll(ctx, tr); err != nil || n != 1 {
		t.Fatalf("round 2: n=%d err=%v", n, err)
	}
	// Round 3: acks a3, reports a4; nothing left.
	if n, err = f.recv.Poll(ctx, tr); err != nil || n != 0 {
		t.Fatalf("round 3: n=%d err=%v", n, err)
	}
	acks, errs, queued := ps.state()
	if len(acks) != 3 || acks[0] != "a1" || acks[2] != "a3" || queued != 0 {
		t.Fatalf("acks %v, queued %d", acks, queued)
	}
	if e, ok := errs["a4"]; !ok || e.Err != set.CodeInvalidAudience || len(errs) != 1 {
		t.Fatalf("setErrs %+v", errs)
	}
	if f.applier.count() != 3 {
		t.Fatalf("applied %d", f.applier.count())
	}
	first := ps.reqs[0]
	if first.MaxEvents != MaxPollEvents || !first.ReturnImmediately || len(first.Ack) != 0 {
		t.Fatalf("first request %+v", first)
	}
}

func TestPollApplyFailureRedelivers(t *testing.T) {
	f, ps, tr := pollFixture(t, 10)
	ctx := context.Background()
	ps.add("b1", sign(t, f.idp, event("b1")))
	f.applier.fail = 1
	if n, err := f.recv.Poll(ctx, tr); err != nil || n != 0 {
		t.Fatalf("failed round: n=%d err=%v", n, err)
	}
	// Neither acknowledged nor reported: the transmitter sends it again.
	if n, err := f.recv.Poll(ctx, tr); err != nil || n != 1 {
		t.Fatalf("second round: n=%d err=%v", n, err)
	}
	if n, err := f.recv.Poll(ctx, tr); err != nil || n != 0 { // delivers the ack
		t.Fatalf("ack round: n=%d err=%v", n, err)
	}
	// A redelivery (as after a lost ack) is acknowledged, not applied.
	ps.add("b1", sign(t, f.idp, event("b1")))
	if n, err := f.recv.Poll(ctx, tr); err != nil || n != 0 {
		t.Fatalf("third round: n=%d err=%v", n, err)
	}
	if _, err := f.recv.Poll(ctx, tr); err != nil {
		t.Fatal(err)
	}
	acks, errs, _ := ps.state()
	if len(acks) != 2 || len(errs) != 0 || f.applier.count() != 1 {
		t.Fatalf("acks %v errs %v applied %d", acks, errs, f.applier.count())
	}
}

func TestPollErrors(t *testing.T) {
	f, _, tr := pollFixture(t, 10)
	ctx := context.Background()
	f.recv.byIssuer[tr.Issuer].PollToken = []byte("wrong")
	if _, err := f.recv.Poll(ctx, tr); err == nil {
		t.Fatal("poll with a wrong token succeeded")
	}
	f.recv.byIssuer[tr.Issuer].PollToken = []byte("poll-secret")
	if _, err := f.recv.Poll(ctx, &Transmitter{Name: "nobody", Issuer: "https://nobody"}); err == nil {
		t.Fatal("poll of an unconfigured transmitter succeeded")
	}
}

func TestRunPollers(t *testing.T) {
	f, ps, _ := pollFixture(t, 1)
	for _, jti := range []string{"c1", "c2", "c3"} {
		ps.add(jti, sign(t, f.idp, event(jti)))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.recv.RunPollers(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		acks, _, queued := ps.state()
		if len(acks) == 3 && queued == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pollers did not drain the queue: acks %v queued %d", acks, queued)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunPollers did not return after cancel")
	}
	if f.applier.count() != 3 {
		t.Fatalf("applied %d", f.applier.count())
	}
}
