package transmitter

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/ssf/set"
)

var alice = set.EmailSubject("alice@example.com")

func (e *env) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.tr.Run(ctx) }()
	e.t.Cleanup(func() { cancel(); <-done })
}

func (e *env) emit(typ string, sub set.Subject, payload any) int {
	e.t.Helper()
	n, err := e.tr.Emit(e.t.Context(), Event{Type: typ, Subject: sub, Payload: payload})
	if err != nil {
		e.t.Fatalf("Emit: %v", err)
	}
	return n
}

func TestPushEndToEnd(t *testing.T) {
	e := newEnv(t, nil)
	e.run()
	v := e.createStream(tokenA, e.pushDelivery(), set.CAEPSessionRevoked)
	e.addSubject(tokenA, v.StreamID, alice)

	if n := e.emit(set.CAEPSessionRevoked, set.EmailSubject("bob@example.com"), nil); n != 0 {
		t.Fatalf("an event about a subject not added was queued on %d streams", n)
	}
	if n := e.emit(set.CAEPRiskLevelChange, alice, set.RiskLevelChange{CurrentLevel: set.RiskHigh}); n != 0 {
		t.Fatalf("an event type not requested was queued on %d streams", n)
	}
	payload := set.SessionRevoked{Common: set.Common{EventTimestamp: t0.Unix(), InitiatingEntity: set.InitiatorPolicy}}
	if n := e.emit(set.CAEPSessionRevoked, alice, payload); n != 1 {
		t.Fatalf("Emit queued on %d streams, want 1", n)
	}
	waitFor(t, "the push", func() bool { return len(e.push.received()) == 1 })
	got := e.push.received()[0]
	if got.typ != "application/secevent+jwt" || got.auth != "Bearer push-secret" {
		t.Fatalf("push headers: content type %q, authorization %q", got.typ, got.auth)
	}
	c := e.claims(got.body)
	typ, obj := event(c)
	switch {
	case c["iss"] != e.srv.URL || !jsonEqual(c["aud"], []string{audA}) || c["jti"] == "" || c["txn"] == "":
		t.Fatalf("claims %v", c)
	case c["iat"] != float64(t0.Unix()) || c["sub"] != nil || c["exp"] != nil:
		t.Fatalf("claims %v", c)
	case !jsonEqual(c["sub_id"], alice) || typ != set.CAEPSessionRevoked || obj["initiating_entity"] != "policy":
		t.Fatalf("claims %v", c)
	}
	// Vigil's own receiver accepts it as it stands.
	parsed, err := set.Parse(t.Context(), string(got.body), set.Validation{Issuer: e.srv.URL, Audience: audA,
		Keys: set.StaticKeys(e.fetchKeys()), Now: e.clock.Now})
	if err != nil || parsed.Event != set.CAEPSessionRevoked || parsed.Subject.Key() != alice.Key() {
		t.Fatalf("set.Parse = %+v, %v", parsed, err)
	}
	waitFor(t, "the queue to empty", func() bool { return e.count(v.StreamID) == 0 })
}

func TestPushRetry(t *testing.T) {
	for _, tc := range []struct {
		name        string
		answers     []answer
		maxAttempts int
		advance     int // times the clock is moved past the backoff
		wantPushes  int
	}{
		{"500 then success", []answer{{status: 500}}, 0, 1, 2},
		{"timeout-like 503 twice then success", []answer{{status: 503}, {status: 503}}, 0, 2, 3},
		{"SET error is not retried", []answer{{status: 400, body: `{"err":"invalid_key","description":"unknown kid"}`}}, 0, 0, 1},
		{"dropped after the last attempt", []answer{{status: 500}, {status: 500}, {status: 500}}, 2, 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) { o.MaxAttempts = tc.maxAttempts })
			v := e.createStream(tokenA, e.pushDelivery(), set.CAEPSessionRevoked)
			e.addSubject(tokenA, v.StreamID, alice)
			e.push.answer(tc.answers...)
			e.run()
			e.emit(set.CAEPSessionRevoked, alice, nil)
			for i := range tc.advance {
				waitFor(t, "a failed attempt", func() bool { return len(e.push.received()) == i+1 })
				waitFor(t, "the retry to be recorded", func() bool {
					es, _ := e.db.PendingEvents(t.Context(), v.StreamID, farFuture, 0)
					return len(es) == 1 && es[0].Attempts == i+1 && es[0].LastError != ""
				})
				e.clock.Advance(backoff(i+1) + time.Millisecond)
			}
			waitFor(t, "the last push", func() bool { return len(e.push.received()) == tc.wantPushes })
			waitFor(t, "the queue to empty", func() bool { return e.count(v.StreamID) == 0 })
			// Every attempt carried the same SET.
			for _, r := range e.push.received() {
				if string(r.body) != string(e.push.received()[0].body) {
					t.Fatal("a retry sent a different SET")
				}
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second,
		9: 256 * time.Second, 10: 5 * time.Minute, 60: 5 * time.Minute} {
		if got := backoff(n); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
}

type pollResult struct {
	Sets          map[string]string `json:"sets"`
	MoreAvailable bool              `json:"moreAvailable"`
}

func (e *env) poll(id string, req map[string]any) pollResult {
	e.t.Helper()
	var r pollResult
	e.mustCall(http.StatusOK, "POST", "/.vigil/ssf/poll/"+id, tokenA, req, &r)
	return r
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestPollDelivery(t *testing.T) {
	e := newEnv(t, nil)
	v := e.createStream(tokenA, nil, set.CAEPSessionRevoked)
	e.addSubject(tokenA, v.StreamID, alice)
	for range 3 {
		e.emit(set.CAEPSessionRevoked, alice, nil)
	}
	first := e.poll(v.StreamID, map[string]any{"maxEvents": 2, "returnImmediately": true})
	if len(first.Sets) != 2 || !first.MoreAvailable {
		t.Fatalf("first poll: %d SETs, moreAvailable %v", len(first.Sets), first.MoreAvailable)
	}
	for jti, raw := range first.Sets {
		if c := e.claims([]byte(raw)); c["jti"] != jti {
			t.Fatalf("SET under %q has jti %v", jti, c["jti"])
		}
	}
	second := e.poll(v.StreamID, map[string]any{"ack": keys(first.Sets), "maxEvents": 10, "returnImmediately": true})
	if len(second.Sets) != 1 || second.MoreAvailable {
		t.Fatalf("second poll: %v, moreAvailable %v", keys(second.Sets), second.MoreAvailable)
	}
	// Not acknowledged: out of the next response, then handed out again.
	if again := e.poll(v.StreamID, map[string]any{"returnImmediately": true}); len(again.Sets) != 0 {
		t.Fatalf("an unacknowledged SET came back at once: %v", keys(again.Sets))
	}
	e.clock.Advance(pollRedeliver)
	third := e.poll(v.StreamID, map[string]any{"returnImmediately": true})
	if !slices.Equal(keys(third.Sets), keys(second.Sets)) {
		t.Fatalf("redelivery: %v, want %v", keys(third.Sets), keys(second.Sets))
	}
	// A reported error settles the SET as an acknowledgement does.
	jti := keys(third.Sets)[0]
	last := e.poll(v.StreamID, map[string]any{"returnImmediately": true,
		"setErrs": map[string]any{jti: map[string]string{"err": "invalid_request", "description": "bad"}}})
	if len(last.Sets) != 0 || e.count(v.StreamID) != 0 {
		t.Fatalf("after setErrs: %v, %d queued", keys(last.Sets), e.count(v.StreamID))
	}
	// maxEvents 0 only acknowledges.
	e.emit(set.CAEPSessionRevoked, alice, nil)
	if r := e.poll(v.StreamID, map[string]any{"maxEvents": 0}); len(r.Sets) != 0 {
		t.Fatalf("maxEvents 0 returned %v", keys(r.Sets))
	}
	e.mustCall(http.StatusBadRequest, "POST", "/.vigil/ssf/poll/"+v.StreamID, tokenA, map[string]any{"maxEvents": -1}, nil)
	e.mustCall(http.StatusBadRequest, "POST", "/.vigil/ssf/poll/"+v.StreamID, tokenA, "[1,2]", nil)
}

func TestLongPollWakesOnEmit(t *testing.T) {
	e := newEnv(t, nil)
	v := e.createStream(tokenA, nil, set.CAEPSessionRevoked)
	e.addSubject(tokenA, v.StreamID, alice)
	got := make(chan pollResult, 1)
	go func() {
		var r pollResult
		st, b := e.call("POST", "/.vigil/ssf/poll/"+v.StreamID, tokenA, map[string]any{})
		if st == http.StatusOK {
			_ = json.Unmarshal(b, &r)
		}
		got <- r
	}()
	e.emit(set.CAEPSessionRevoked, alice, nil)
	select {
	case r := <-got:
		if len(r.Sets) != 1 {
			t.Fatalf("long poll returned %d SETs", len(r.Sets))
		}
	case <-time.After(pollWait / 2):
		t.Fatal("the long poll was not woken by Emit")
	}
}

func TestPausedStreamHoldsThenDelivers(t *testing.T) {
	e := newEnv(t, nil)
	v := e.createStream(tokenA, e.pushDelivery(), set.CAEPSessionRevoked, set.CAEPRiskLevelChange)
	e.addSubject(tokenA, v.StreamID, alice)
	setStatus := func(status string) {
		var got statusBody
		e.mustCall(http.StatusOK, "POST", "/.vigil/ssf/status", tokenA,
			map[string]any{"stream_id": v.StreamID, "status": status, "reason": "maintenance"}, &got)
		if got.Status != status || got.StreamID != v.StreamID {
			t.Fatalf("status response %+v", got)
		}
	}
	setStatus(StatusPaused)
	var st statusBody
	e.mustCall(http.StatusOK, "GET", "/.vigil/ssf/status?stream_id="+v.StreamID, tokenA, nil, &st)
	if st.Status != StatusPaused || st.Reason != "maintenance" {
		t.Fatalf("status %+v", st)
	}
	e.emit(set.CAEPSessionRevoked, alice, nil)
	e.emit(set.CAEPRiskLevelChange, alice, set.RiskLevelChange{CurrentLevel: set.RiskMedium})
	e.tr.deliverRound(t.Context()) // what Run does on a wake
	if n := len(e.push.received()); n != 0 {
		t.Fatalf("a paused stream pushed %d SETs", n)
	}
	if n := e.count(v.StreamID); n != 3 { // stream-updated(paused) and the two events
		t.Fatalf("%d SETs held, want 3", n)
	}
	setStatus(StatusEnabled)
	e.tr.deliverRound(t.Context())
	var types []string
	for _, r := range e.push.received() {
		typ, obj := event(e.claims(r.body))
		if typ == set.SSFStreamUpdated {
			typ += ":" + obj["status"].(string)
		}
		types = append(types, typ)
	}
	want := []string{set.SSFStreamUpdated + ":paused", set.CAEPSessionRevoked, set.CAEPRiskLevelChange,
		set.SSFStreamUpdated + ":enabled"}
	if !slices.Equal(types, want) {
		t.Fatalf("delivered in order %v, want %v", types, want)
	}
	// Disabling drops what is held and holds nothing more.
	setStatus(StatusPaused)
	e.emit(set.CAEPSessionRevoked, alice, nil)
	setStatus(StatusDisabled)
	if n := e.count(v.StreamID); n != 0 {
		t.Fatalf("a disabled stream holds %d SETs", n)
	}
	if n := e.emit(set.CAEPSessionRevoked, alice, nil); n != 0 {
		t.Fatalf("Emit queued on a disabled stream")
	}
	e.mustCall(http.StatusBadRequest, "POST", "/.vigil/ssf/status", tokenA,
		map[string]any{"stream_id": v.StreamID, "status": "stopped"}, nil)
}

func TestVerification(t *testing.T) {
	e := newEnv(t, nil)
	v := e.createStream(tokenA, e.pushDelivery()) // verification needs no events_requested
	e.mustCall(http.StatusNoContent, "POST", "/.vigil/ssf/verify", tokenA,
		map[string]any{"stream_id": v.StreamID, "state": "c3RhdGUtMQ"}, nil)
	e.mustCall(http.StatusTooManyRequests, "POST", "/.vigil/ssf/verify", tokenA,
		map[string]any{"stream_id": v.StreamID, "state": "again"}, nil)
	e.tr.deliverRound(t.Context())
	got := e.push.received()
	if len(got) != 1 {
		t.Fatalf("%d pushes, want the verification", len(got))
	}
	c := e.claims(got[0].body)
	typ, obj := event(c)
	if typ != set.SSFVerification || obj["state"] != "c3RhdGUtMQ" || !jsonEqual(c["sub_id"], set.Opaque(v.StreamID)) {
		t.Fatalf("verification claims %v", c)
	}
	e.clock.Advance(10 * time.Second)
	e.mustCall(http.StatusNoContent, "POST", "/.vigil/ssf/verify", tokenA, map[string]any{"stream_id": v.StreamID}, nil)
	e.mustCall(http.StatusBadRequest, "POST", "/.vigil/ssf/verify", tokenA, map[string]any{"stream_id": ""}, nil)
}
