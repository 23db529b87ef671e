package transmitter

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/ssf/set"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

var fuzzEndpoints = []string{"/stream", "/status", "/subjects:add", "/subjects:remove", "/verify", "/poll/"}

// FuzzManagementAPI sends arbitrary bodies to every management endpoint of
// a transmitter holding one stream with a subject and a queued SET. Nothing
// may panic, and no input may cause a 5xx or a non-JSON error.
func FuzzManagementAPI(f *testing.F) {
	for _, b := range []string{
		`{}`, `{"stream_id":"%s"}`, `{"stream_id":"%s","status":"paused","reason":"r"}`,
		`{"stream_id":"%s","subject":{"format":"email","email":"a@example.com"}}`,
		`{"stream_id":"%s","subject":{"format":"complex","user":{"format":"opaque","id":"x"}}}`,
		`{"stream_id":"%s","state":"s"}`, `{"maxEvents":3,"returnImmediately":true,"ack":["x"],"setErrs":{"y":{"err":"e"}}}`,
		`{"stream_id":"%s","delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"https://app.example.com/ssf/e"}}`,
		`{"stream_id":"%s","events_requested":["https://schemas.openid.net/secevent/caep/event-type/session-revoked"]}`,
		`null`, `[]`, `{"stream_id":1}`,
	} {
		for ep := range fuzzEndpoints {
			f.Add(uint8(ep), uint8(1), []byte(b)) // POST everywhere
		}
	}
	for m := range uint8(5) {
		f.Add(uint8(0), m, []byte(`{"stream_id":"%s","description":"d"}`))
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	signer, err := set.NewSigner(key, "k1", jose.ES256)
	if err != nil {
		f.Fatal(err)
	}
	// One database for all runs (opening one costs more than a run); each
	// run starts by deleting the stream, which takes its subjects and SETs.
	db, err := sqlite.Open(f.Context(), ":memory:", sqlite.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	f.Fuzz(func(t *testing.T, ep, method uint8, body []byte) {
		if err := db.DeleteStream(t.Context(), streamID("a")); err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		tr, err := New(Options{Issuer: "https://vigil.example.com", Store: db, Signer: signer,
			JWKS:      &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k1"}}},
			Receivers: []Receiver{{Name: "a", Token: []byte(tokenA), PushEndpoints: []string{"https://app.example.com/ssf"}}},
			Clock:     func() time.Time { return t0 }, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		tr.pollWait = time.Millisecond // a long poll would make each run last pollWait
		h := tr.Handler()
		do := func(method, path string, body []byte) *httptest.ResponseRecorder {
			req := httptest.NewRequest(method, "https://vigil.example.com/.vigil/ssf"+path, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tokenA)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		setup := do("POST", "/stream", []byte(`{"events_requested":["`+set.CAEPSessionRevoked+`"]}`))
		var v streamView
		if err := json.Unmarshal(setup.Body.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		do("POST", "/subjects:add", []byte(`{"stream_id":"`+v.StreamID+`","subject":{"format":"email","email":"a@example.com"}}`))
		if n, err := tr.Emit(t.Context(), Event{Type: set.CAEPSessionRevoked, Subject: set.EmailSubject("a@example.com")}); n != 1 || err != nil {
			t.Fatalf("Emit = %d, %v", n, err)
		}
		body = bytes.ReplaceAll(body, []byte("%s"), []byte(v.StreamID))
		path := fuzzEndpoints[int(ep)%len(fuzzEndpoints)]
		if path == "/poll/" {
			path += v.StreamID
		}
		m := []string{"GET", "POST", "PATCH", "PUT", "DELETE"}[int(method)%5]
		if m == "GET" || m == "DELETE" {
			path += "?stream_id=" + v.StreamID
		}
		rec := do(m, path, body)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q = %d %s", m, path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("%s %s: error %d without JSON", m, path, rec.Code)
		}
		if rec.Code == http.StatusOK && rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: invalid JSON response %q", m, path, rec.Body)
		}
	})
}
