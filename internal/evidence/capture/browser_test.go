package capture

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigil-gw/vigil/internal/testenv/browser"
)

// captureServer is the server half of the test: the package's API behind
// JSON endpoints, one verification at a time, holding what the verifier
// will keep in its store (states, binding, nonce).
type captureServer struct {
	t       *testing.T
	origin  string
	mu      sync.Mutex
	enrolSt []byte
	signSt  []byte
	binding *Binding
	nonce   []byte
}

func (s *captureServer) routes() http.Handler {
	mux := http.NewServeMux()
	page := http.FileServer(http.Dir("testdata/browser"))
	mux.Handle("GET /{$}", page)
	mux.Handle("GET /page.js", page)
	mux.Handle("GET /capture.js", http.FileServerFS(Assets()))
	mux.HandleFunc("POST /enrol/begin", s.enrolBegin)
	mux.HandleFunc("POST /enrol/finish", s.enrolFinish)
	mux.HandleFunc("POST /nonce", s.newNonce)
	mux.HandleFunc("POST /sign/begin", s.signBegin)
	mux.HandleFunc("POST /burst", s.burst)
	return mux
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// refuseHTTP answers with the reason only, as the verifier will.
func refuseHTTP(w http.ResponseWriter, err error) {
	reply(w, http.StatusUnprocessableEntity, map[string]string{"reason": string(ReasonOf(err)), "error": err.Error()})
}

func (s *captureServer) enrolBegin(w http.ResponseWriter, r *http.Request) {
	opts, st, err := BeginEnrol("ver-browser", "localhost", "Vigil test", []string{s.origin})
	if err != nil {
		reply(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	s.mu.Lock()
	s.enrolSt, s.binding = st, nil
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write(opts)
}

func (s *captureServer) enrolFinish(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := FinishEnrol(s.enrolSt, body)
	if err != nil {
		refuseHTTP(w, err)
		return
	}
	s.binding = b
	reply(w, http.StatusOK, b)
}

func (s *captureServer) newNonce(w http.ResponseWriter, r *http.Request) {
	n := make([]byte, 32)
	rand.Read(n)
	s.mu.Lock()
	s.nonce = n
	s.mu.Unlock()
	reply(w, http.StatusOK, map[string]string{"nonce": base64.RawURLEncoding.EncodeToString(n)})
}

// signBegin issues the request options. When the page sends the burst
// hash first, their challenge commits to it and to the nonce; otherwise
// the options are a template and signBurst computes the challenge.
func (s *captureServer) signBegin(w http.ResponseWriter, r *http.Request) {
	var req struct{ BurstHash string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		reply(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var challenge []byte
	if req.BurstHash != "" {
		h, err := base64.RawURLEncoding.DecodeString(req.BurstHash)
		if err != nil || len(h) != 32 {
			reply(w, http.StatusBadRequest, map[string]string{"error": "burst hash"})
			return
		}
		challenge = BurstChallenge(s.nonce, h)
	}
	opts, st, err := BeginSign(s.binding, challenge)
	if err != nil {
		reply(w, http.StatusConflict, map[string]string{"error": err.Error()})
		return
	}
	s.signSt = st
	reply(w, http.StatusOK, map[string]json.RawMessage{"options": opts})
}

func (s *captureServer) burst(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Frames    []string
		Assertion json.RawMessage
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 8<<20)).Decode(&req); err != nil {
		reply(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	var frames [][]byte
	for _, f := range req.Frames {
		b, err := base64.RawURLEncoding.DecodeString(f)
		if err != nil {
			reply(w, http.StatusBadRequest, map[string]string{"error": "frame encoding"})
			return
		}
		if !bytes.HasPrefix(b, []byte{0xff, 0xd8}) {
			s.t.Errorf("frame %d is not a JPEG", len(frames))
		}
		frames = append(frames, b)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	count, err := VerifyBurst(s.binding, s.signSt, req.Assertion, frames, s.nonce)
	if err != nil {
		refuseHTTP(w, err)
		return
	}
	s.binding.SignCount = count
	s.nonce = nil // single use
	reply(w, http.StatusOK, map[string]any{"ok": true, "signCount": count, "frames": len(frames)})
}

// runResult is what window.runCapture returns.
type runResult struct {
	Available   bool    `json:"available"`
	Enrolled    Binding `json:"enrolled"`
	HashMatches bool    `json:"hashMatches"`
	Status      int     `json:"status"`
	Result      struct {
		OK        bool   `json:"ok"`
		SignCount uint32 `json:"signCount"`
		Frames    int    `json:"frames"`
		Reason    string `json:"reason"`
		Error     string `json:"error"`
	} `json:"result"`
}

// TestBrowserCapture runs capture.js in headless Chromium with the fake
// camera and a virtual platform authenticator: an honest burst verifies,
// and the same flow with one frame changed after signing is refused.
func TestBrowserCapture(t *testing.T) {
	// The fake camera is Chromium's test pattern.
	tab := browser.Start(t, 90*time.Second, browser.FakeCamera("")).Tab("capture")
	srv := &captureServer{t: t}
	ts := httptest.NewServer(srv.routes())
	defer ts.Close()
	// WebAuthn needs a secure context and an RP ID that is a host name:
	// http://localhost is both, 127.0.0.1 is neither.
	srv.origin = strings.Replace(ts.URL, "127.0.0.1", "localhost", 1)
	tab.AddPlatformAuthenticator()

	tab.Do("open the page", chromedp.Navigate(srv.origin+"/"), chromedp.WaitVisible(chromedp.CSS(`#status`)))
	waitReady(t, tab)

	for _, template := range []bool{false, true} {
		run := func(tamper bool) runResult {
			t.Helper()
			call := fmt.Sprintf("window.runCapture(%v, %v)", tamper, template)
			start := time.Now()
			res, err := chromedp.Run(tab.Context(), chromedp.Evaluate[runResult](call, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("%s: %v", call, err)
			}
			t.Logf("%s in %v: status %d %+v", call, time.Since(start).Round(time.Millisecond), res.Status, res.Result)
			return res
		}

		honest := run(false)
		b := honest.Enrolled
		t.Logf("enrolled: format %q type %q aaguid %x uv %v be %v certs %d",
			b.AttestationFormat, b.AttestationType, b.AAGUID, b.UserVerified, b.BackupEligible, len(b.AttestationCerts))
		if !honest.Available {
			t.Error("no platform authenticator reported to the page")
		}
		if !honest.HashMatches {
			t.Error("signBurst reported another burst hash than burstHash")
		}
		if honest.Status != http.StatusOK || !honest.Result.OK || honest.Result.Frames != 4 || honest.Result.SignCount == 0 {
			t.Errorf("honest burst: status %d, result %+v", honest.Status, honest.Result)
		}
		if len(b.CredentialID) == 0 || len(b.AAGUID) != 16 || b.AttestationFormat == "" {
			t.Errorf("binding = %+v", b)
		}

		tampered := run(true)
		if tampered.Status != http.StatusUnprocessableEntity || tampered.Result.Reason != string(ReasonHashMismatch) {
			t.Errorf("tampered burst: status %d, result %+v; want %s", tampered.Status, tampered.Result, ReasonHashMismatch)
		}
	}
}

// waitReady waits until page.js has loaded (its module ran).
func waitReady(t *testing.T, tab *browser.Tab) {
	t.Helper()
	end := time.Now().Add(15 * time.Second)
	for time.Now().Before(end) {
		st, err := chromedp.Run(tab.Context(), chromedp.Evaluate[string](`document.getElementById("status").textContent`))
		if err == nil && st == "ready" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal(errors.New("page.js did not load"))
}
