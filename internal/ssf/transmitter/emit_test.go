package transmitter

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/ssf/set"
)

func complexSubject(user, session, tenant *set.Subject) set.Subject {
	return set.Subject{Format: set.FormatComplex, User: user, Session: session, Tenant: tenant}
}

func TestMatches(t *testing.T) {
	alice, bob := set.EmailSubject("alice@example.com"), set.EmailSubject("bob@example.com")
	aliceUpper := set.EmailSubject("alice@EXAMPLE.com")
	sess1, sess2 := set.Opaque("s1"), set.Opaque("s2")
	tenA, tenB := set.IssSub("https://idp", "tenant-a"), set.IssSub("https://idp", "tenant-b")
	aliases := set.Subject{Format: set.FormatAliases, Identifiers: []set.Subject{set.Opaque("u-1"), alice}}
	for _, tc := range []struct {
		name      string
		added, ev set.Subject
		want      bool
	}{
		{"same simple", alice, alice, true},
		{"email domain case", alice, aliceUpper, true},
		{"other simple", alice, bob, false},
		{"other format, same text", set.Opaque("alice@example.com"), alice, false},
		{"user added, complex event about the user", alice, complexSubject(&alice, &sess1, nil), true},
		{"user added, complex event about another user", alice, complexSubject(&bob, &sess1, nil), false},
		{"user added, complex event without a user", alice, complexSubject(nil, &sess1, nil), false},
		{"complex added, simple event about its user", complexSubject(&alice, nil, &tenA), alice, true},
		{"complex wildcard: less restrictive added", complexSubject(nil, nil, &tenA), complexSubject(&alice, nil, &tenA), true},
		{"complex wildcard: more restrictive added", complexSubject(&alice, &sess1, nil), complexSubject(&alice, nil, nil), true},
		{"complex: a shared member differs", complexSubject(&alice, &sess1, nil), complexSubject(&alice, &sess2, nil), false},
		{"complex: nothing shared", complexSubject(nil, nil, &tenA), complexSubject(&alice, nil, nil), false},
		{"complex: tenants differ", complexSubject(nil, nil, &tenA), complexSubject(&alice, nil, &tenB), false},
		{"aliases added", aliases, alice, true},
		{"aliases event", alice, aliases, true},
		{"aliases, none match", aliases, bob, false},
		{"aliases as a complex member", alice, complexSubject(&aliases, nil, nil), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := matches(&tc.added, &tc.ev); got != tc.want {
				t.Fatalf("matches = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestEmitRefuses(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		name string
		ev   Event
	}{
		{"unsupported type", Event{Type: set.RISCAccountDisabled, Subject: alice}},
		{"SSF type", Event{Type: set.SSFVerification, Subject: alice}},
		{"invalid subject", Event{Type: set.CAEPSessionRevoked, Subject: set.Subject{Format: "email"}}},
		{"payload of another type", Event{Type: set.CAEPSessionRevoked, Subject: alice,
			Payload: set.RiskLevelChange{CurrentLevel: set.RiskLow}}},
		{"incomplete payload", Event{Type: set.CAEPRiskLevelChange, Subject: alice, Payload: set.RiskLevelChange{}}},
		{"payload not an object", Event{Type: set.CAEPSessionRevoked, Subject: alice, Payload: []int{1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if n, err := e.tr.Emit(t.Context(), tc.ev); err == nil || n != 0 {
				t.Fatalf("Emit = %d, %v; want an error", n, err)
			}
		})
	}
	// A raw JSON object is a valid payload, and the txn given is kept.
	v := e.createStream(tokenA, nil, set.CAEPSessionEstablished)
	e.addSubject(tokenA, v.StreamID, alice)
	n, err := e.tr.Emit(t.Context(), Event{Type: set.CAEPSessionEstablished, Subject: alice,
		Payload: json.RawMessage(`{"acr":"ial2"}`), Txn: "txn-1"})
	if err != nil || n != 1 {
		t.Fatalf("Emit = %d, %v", n, err)
	}
	r := e.poll(v.StreamID, map[string]any{"returnImmediately": true})
	for _, raw := range r.Sets {
		c := e.claims([]byte(raw))
		if _, obj := event(c); c["txn"] != "txn-1" || obj["acr"] != "ial2" {
			t.Fatalf("claims %v", c)
		}
	}
}

func TestQueueBound(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.MaxQueued = 3 })
	v := e.createStream(tokenA, nil, set.CAEPSessionRevoked)
	e.addSubject(tokenA, v.StreamID, alice)
	var txns []string
	for i := range 5 {
		txn := string(rune('a' + i))
		txns = append(txns, txn)
		if _, err := e.tr.Emit(t.Context(), Event{Type: set.CAEPSessionRevoked, Subject: alice, Txn: txn}); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count(v.StreamID); n != 3 {
		t.Fatalf("%d SETs queued, want the bound 3", n)
	}
	r := e.poll(v.StreamID, map[string]any{"returnImmediately": true})
	var kept []string
	for _, raw := range r.Sets {
		kept = append(kept, e.claims([]byte(raw))["txn"].(string))
	}
	if strings.Contains(strings.Join(kept, ""), "a") || strings.Contains(strings.Join(kept, ""), "b") || len(kept) != 3 {
		t.Fatalf("kept %v, want the newest three of %v", kept, txns)
	}
}

func TestDefaultSubjectsAll(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.DefaultSubjects = "ALL" })
	var doc map[string]any
	e.mustCall(http.StatusOK, "GET", "/.well-known/ssf-configuration", "", nil, &doc)
	if doc["default_subjects"] != "ALL" {
		t.Fatalf("default_subjects = %v", doc["default_subjects"])
	}
	v := e.createStream(tokenA, nil, set.CAEPSessionRevoked)
	bob := set.EmailSubject("bob@example.com")
	if n := e.emit(set.CAEPSessionRevoked, bob, nil); n != 1 {
		t.Fatalf("ALL: event about any subject queued on %d streams", n)
	}
	e.mustCall(http.StatusNoContent, "POST", "/.vigil/ssf/subjects:remove", tokenA,
		map[string]any{"stream_id": v.StreamID, "subject": bob}, nil)
	if n := e.emit(set.CAEPSessionRevoked, bob, nil); n != 0 {
		t.Fatal("a removed subject still gets events")
	}
	if n := e.emit(set.CAEPSessionRevoked, complexSubject(&bob, subjectPtr(set.Opaque("s")), nil), nil); n != 0 {
		t.Fatal("a removed user still gets events about its sessions")
	}
	e.addSubject(tokenA, v.StreamID, bob)
	if n := e.emit(set.CAEPSessionRevoked, bob, nil); n != 1 {
		t.Fatal("a subject added back gets no events")
	}
}

func TestSubjectRequests(t *testing.T) {
	e := newEnv(t, nil)
	v := e.createStream(tokenA, nil, set.CAEPSessionRevoked)
	const add, remove = "/.vigil/ssf/subjects:add", "/.vigil/ssf/subjects:remove"
	for _, bad := range []any{
		map[string]any{"stream_id": v.StreamID},
		map[string]any{"stream_id": v.StreamID, "subject": map[string]string{"format": "email"}},
		map[string]any{"stream_id": v.StreamID, "subject": "alice"},
		"not json",
	} {
		e.mustCall(http.StatusBadRequest, "POST", add, tokenA, bad, nil)
	}
	e.mustCall(http.StatusNotFound, "POST", add, tokenA, map[string]any{"stream_id": "nope", "subject": alice}, nil)
	e.addSubject(tokenA, v.StreamID, alice)
	e.addSubject(tokenA, v.StreamID, alice) // idempotent
	if subs, _ := e.db.StreamSubjects(t.Context(), v.StreamID); len(subs) != 1 {
		t.Fatalf("subjects %+v", subs)
	}
	e.mustCall(http.StatusNoContent, "POST", remove, tokenA, map[string]any{"stream_id": v.StreamID, "subject": alice}, nil)
	e.mustCall(http.StatusNoContent, "POST", remove, tokenA, map[string]any{"stream_id": v.StreamID, "subject": alice}, nil)
	if n := e.emit(set.CAEPSessionRevoked, alice, nil); n != 0 {
		t.Fatal("a removed subject still gets events")
	}
	e.mustCall(http.StatusMethodNotAllowed, "GET", add, tokenA, nil, nil)
}

func TestNewRefuses(t *testing.T) {
	base := newEnv(t, nil)
	good := func() Options {
		return Options{Issuer: "https://vigil.example.com", Store: base.db, Signer: base.tr.signer,
			JWKS: base.tr.jwks, Receivers: []Receiver{{Name: "a", Token: []byte(tokenA)}}}
	}
	if _, err := New(good()); err != nil {
		t.Fatalf("New(good) = %v", err)
	}
	for _, tc := range []struct {
		name string
		mut  func(*Options)
	}{
		{"http issuer", func(o *Options) { o.Issuer = "http://vigil.example.com" }},
		{"issuer with query", func(o *Options) { o.Issuer = "https://vigil.example.com/?x=1" }},
		{"relative issuer", func(o *Options) { o.Issuer = "/vigil" }},
		{"base path without slash", func(o *Options) { o.BasePath = "ssf" }},
		{"base path with trailing slash", func(o *Options) { o.BasePath = "/ssf/" }},
		{"no store", func(o *Options) { o.Store = nil }},
		{"no signer", func(o *Options) { o.Signer = nil }},
		{"JWKS without the signer's key", func(o *Options) { o.JWKS = &jose.JSONWebKeySet{} }},
		{"JWKS with a shared secret as the key", func(o *Options) {
			o.JWKS = &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: []byte("0123456789abcdef"), KeyID: "k1"}}}
		}},
		{"bad default subjects", func(o *Options) { o.DefaultSubjects = "SOME" }},
		{"short token", func(o *Options) { o.Receivers[0].Token = []byte("short") }},
		{"no receiver name", func(o *Options) { o.Receivers[0].Name = "" }},
		{"shared token", func(o *Options) {
			o.Receivers = append(o.Receivers, Receiver{Name: "b", Token: []byte(tokenA)})
		}},
		{"shared audience", func(o *Options) {
			o.Receivers = append(o.Receivers, Receiver{Name: "b", Audience: "a", Token: []byte(tokenB)})
		}},
		{"http push prefix", func(o *Options) { o.Receivers[0].PushEndpoints = []string{"http://app.example.com/"} }},
		{"push prefix with query", func(o *Options) { o.Receivers[0].PushEndpoints = []string{"https://app.example.com/?a"} }},
		{"lease TTL too short to renew", func(o *Options) { o.LeaseTTL = 10 * time.Millisecond }},
		{"negative lease TTL", func(o *Options) { o.LeaseTTL = -time.Second }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := good()
			tc.mut(&o)
			if _, err := New(o); err == nil {
				t.Fatal("New accepted bad options")
			}
		})
	}
}
