package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"
)

func TestParseRevocation(t *testing.T) {
	tests := []struct {
		name, out, want, wantErr string
	}{
		{"last line", "building\ntrial 200/200\nrevocation p99 ms: 13.2\n", "13.2", ""},
		{"integer", "revocation p99 ms: 12", "12", ""},
		{"crlf", "x\r\nrevocation p99 ms: 9.5\r\n", "9.5", ""},
		{"the last of two wins", "revocation p99 ms: 1.0\nrevocation p99 ms: 2.0\n", "2.0", ""},
		{"indented echo is not the line", "  | revocation p99 ms: 3.0\n", "", "no"},
		{"negative", "revocation p99 ms: -1\n", "", "no"},
		{"not a number", "revocation p99 ms: soon\n", "", "no"},
		{"trailing text", "revocation p99 ms: 4.0 ms\n", "", "no"},
		{"empty", "", "", "no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRevocation([]byte(tt.out))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseRevocation = %q, %v; want an error with %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseRevocation = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func FuzzParseRevocation(f *testing.F) {
	for _, s := range []string{"revocation p99 ms: 13.2\n", "a\r\nrevocation p99 ms: 1\r\n", "revocation p99 ms: 1.\n",
		"revocation p99 ms: 99999999999999999999999999999999999999999999\n", "\x00revocation p99 ms: 2", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		got, err := parseRevocation(out)
		if err != nil {
			return
		}
		if _, perr := strconv.ParseFloat(got, 64); perr != nil {
			t.Fatalf("accepted %q, not a number", got)
		}
		if !bytes.Contains(out, []byte("revocation p99 ms: "+got)) {
			t.Fatalf("returned %q, which is not in the output", got)
		}
	})
}

func TestQuantile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // reversed: quantile must sort
	}
	tests := []struct {
		name string
		lat  []time.Duration
		q    float64
		want time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one", ms(7), 0.99, 7 * time.Millisecond},
		{"median of even is the lower", ms(4, 1, 3, 2), 0.5, 2 * time.Millisecond},
		{"p99 of 100", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"above 1 is the maximum", ms(5, 9), 2, 9 * time.Millisecond},
		{"below 0 is the minimum", ms(5, 9), -1, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := result{lat: tt.lat}
			if got := r.quantile(tt.q); got != tt.want {
				t.Errorf("quantile(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
	// add after a quantile must sort again.
	r := result{lat: ms(1, 2)}
	r.quantile(0.5)
	r.add(result{lat: ms(0)})
	if got := r.quantile(0); got != 0 {
		t.Errorf("after add, minimum = %v, want 0", got)
	}
}

func TestFetch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			io.WriteString(w, "12345")
		case "/short":
			io.WriteString(w, "123")
		case "/login":
			http.Redirect(w, r, "/ok", http.StatusFound)
		default:
			http.Error(w, "no", http.StatusForbidden)
		}
	}))
	defer srv.Close()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct{ path, wantErr string }{
		{"/ok", ""},
		{"/short", "3 bytes"},
		{"/login", "HTTP 302"},
		{"/denied", "HTTP 403"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+tt.path, nil)
			err := fetch(c, req, 5)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("fetch(%s) = %v, want %q", tt.path, err, tt.wantErr)
			}
		})
	}
}

func TestLoadCountsFailures(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Cookie") != "s=1" {
			http.Redirect(w, r, "/login", http.StatusFound)
			return
		}
		io.WriteString(w, "hello")
	}))
	defer srv.Close()
	ok := load(loadSpec{url: srv.URL, cookie: "s=1", wantBytes: 5}, 2, 50*time.Millisecond)
	if ok.n == 0 || ok.errors != 0 || len(ok.lat) != ok.n {
		t.Fatalf("with the cookie: %d requests, %d failures (%v), %d latencies", ok.n, ok.errors, ok.lastErr, len(ok.lat))
	}
	bad := load(loadSpec{url: srv.URL, wantBytes: 5}, 2, 50*time.Millisecond)
	if bad.n != 0 || bad.errors == 0 {
		t.Fatalf("without the cookie: %d requests passed, %d failed; a redirect must count as a failure", bad.n, bad.errors)
	}
}

func TestNewSignIn(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a, err := newSignIn(7, now, rand.Reader, fullShape)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newSignIn(8, now, rand.Reader, fullShape)
	if err != nil {
		t.Fatal(err)
	}
	id := a.id
	if id.Email != "user000007@example.com" || id.Subject == "" || id.Name == "" || len(id.Groups) != 5 ||
		len(id.AMR) != 2 || id.ACR == "" || id.AuthTime.IsZero() || id.Verification == nil || len(id.Claims) < 20 {
		t.Fatalf("identity lacks realistic fields: %+v", id)
	}
	// Each session's strings are its own, as when decoded from its token.
	if unsafe.StringData(a.id.Groups[0]) == unsafe.StringData(b.id.Groups[0]) ||
		unsafe.StringData(a.meta.UserAgent) == unsafe.StringData(b.meta.UserAgent) {
		t.Error("two sign-ins share string memory")
	}
	parts := strings.Split(a.meta.IDToken, ".")
	if len(parts) != 3 || a.meta.SID == "" {
		t.Fatalf("ID token has %d parts, sid %q", len(parts), a.meta.SID)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil || claims["email"] != id.Email || claims["sid"] != a.meta.SID {
		t.Fatalf("ID token payload does not match the identity: %v %v", claims, err)
	}
	lean, err := newSignIn(9, now, rand.Reader, shape{})
	if err != nil {
		t.Fatal(err)
	}
	if lean.id.Claims != nil || lean.meta.IDToken != "" || lean.id.Email == "" {
		t.Errorf("shape{} sign-in: claims %v, token %q, email %q", lean.id.Claims != nil, lean.meta.IDToken, lean.id.Email)
	}
}

func TestMeasureSessions(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	full, err := measureSessions(t.Context(), 1000, fullShape)
	if err != nil {
		t.Fatal(err)
	}
	lean, err := measureSessions(t.Context(), 1000, shape{})
	if err != nil {
		t.Fatal(err)
	}
	// Broad bounds: the sessions are held (a leak-free nothing would
	// measure ~0), and the cache holds neither the raw ID token nor the
	// claims no policy reads: full sign-ins cost less over lean ones than
	// the token alone weighs.
	if full.idToken < 1000 || full.perSession() < 300 || full.perSession() > 64<<10 {
		t.Errorf("full sign-ins: %.0f bytes/session, ID token %d bytes", full.perSession(), full.idToken)
	}
	if lean.idToken != 0 || lean.perSession() < 300 || full.perSession()-lean.perSession() >= float64(full.idToken) {
		t.Errorf("lean %.0f bytes/session vs full %.0f with a %d-byte token: the cache keeps the token?", lean.perSession(), full.perSession(), full.idToken)
	}
	if _, err := measureSessions(t.Context(), 0, fullShape); err == nil {
		t.Error("0 sessions accepted")
	}
	entries, _ := os.ReadDir(os.Getenv("TMPDIR"))
	if len(entries) != 0 {
		t.Errorf("left %d entries in the temporary directory", len(entries))
	}
}

func TestReportLines(t *testing.T) {
	mk := func(n int, lat ...time.Duration) *target {
		return &target{label: "t", res: result{n: n, elapsed: time.Second, lat: lat}}
	}
	bare := mk(1000, 2*time.Millisecond)
	vigil := mk(900, 3*time.Millisecond)
	o2p := mk(300, 5*time.Millisecond)
	var w bytes.Buffer
	printFinal(&w, vigil, bare, o2p, 1800, "12.5")
	want := "ratio vigil/bare: 0.90\nratio vigil/oauth2-proxy: 3.00\nsession bytes: 1800\nrevocation p99 ms: 12.5\n"
	if w.String() != want {
		t.Errorf("final lines:\n%s\nwant:\n%s", w.String(), want)
	}
	w.Reset()
	printFinal(&w, vigil, bare, mk(0), -1, "")
	if want := "ratio vigil/bare: 0.90\nratio vigil/oauth2-proxy: 0.00\n"; w.String() != want {
		t.Errorf("without memory and revocation:\n%s\nwant:\n%s", w.String(), want)
	}
	w.Reset()
	printGoals(&w, 64, vigil, bare, o2p, 3000)
	for _, s := range []string{"0.90   goal >= 0.85     met", "3.00   goal >= 1.50     met", "+1.000ms", "NOT met"} {
		if !strings.Contains(w.String(), s) {
			t.Errorf("goals lack %q:\n%s", s, w.String())
		}
	}
	w.Reset()
	printRevocationGoal(&w, revocationSetup("postgres"), "250.0")
	printRevocationGoal(&w, revocationSetup("sqlite"), "250.1")
	printRevocationGoal(&w, revocationSetup("sqlite"), "soon")
	wantRev := "\nrevocation, 3 replicas on PostgreSQL: p99 250.0 ms until every other replica refused, goal <= 250 ms  met\n" +
		"\nrevocation, 3 replicas on SQLite: p99 250.1 ms until every other replica refused, goal <= 250 ms  NOT met\n" +
		"\nrevocation, 3 replicas on SQLite: p99 soon ms until every other replica refused, goal <= 250 ms  unreadable\n"
	if w.String() != wantRev {
		t.Errorf("revocation goal:\n%s\nwant:\n%s", w.String(), wantRev)
	}
	w.Reset()
	printTable(&w, []*target{bare, vigil}, bare)
	if !strings.Contains(w.String(), "+1.000ms") || !strings.Contains(w.String(), "0.90") {
		t.Errorf("table:\n%s", w.String())
	}
}

func TestCookieHeader(t *testing.T) {
	cs := []*http.Cookie{{Name: "vigil_session", Value: "a"}, {Name: "vigil_device", Value: "b"}}
	got, found := cookieHeader(cs, func(n string) bool { return n == "vigil_session" })
	if got != "vigil_session=a; vigil_device=b" || !found {
		t.Errorf("cookieHeader = %q, %v", got, found)
	}
	if _, found := cookieHeader(cs[1:], func(n string) bool { return n == "vigil_session" }); found {
		t.Error("found a session cookie that is not there")
	}
}

func TestO2PFlags(t *testing.T) {
	joined := strings.Join(o2pFlags("http://localhost:9000", "http://127.0.0.1:9001", 5000), " ")
	for _, want := range []string{"--provider=oidc", "--code-challenge-method=S256", "--insecure-oidc-skip-nonce=false",
		"--http-address=127.0.0.1:5000", "--redirect-url=http://127.0.0.1:5000/oauth2/callback", "--pass-user-headers=true",
		"--email-domain=*"} {
		if !strings.Contains(joined, want) {
			t.Errorf("flags lack %q: %s", want, joined)
		}
	}
	if strings.Contains(joined, "secret") || strings.Contains(joined, "skip-issuer-verification") {
		t.Errorf("flags carry a secret or weaken a check: %s", joined)
	}
}

func TestFirstPinnedSkipsOtherBinaries(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "oauth2-proxy")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := firstPinned(map[string]string{"GOBIN": dir}); got == fake {
		t.Fatal("a shell script passed as the pinned oauth2-proxy")
	}
	if _, err := findOAuth2Proxy(context.Background(), fake); err == nil {
		t.Fatal("-oauth2-proxy accepted a binary that is not the pinned version")
	}
}
