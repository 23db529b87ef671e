package demoapp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

func get(t *testing.T, url string, headers http.Header) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, vs := range headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestHome(t *testing.T) {
	g := newGateway(t)
	srv := newApp(t, g, nil)
	good := g.sign(t, validAssertion())
	noTimes := validAssertion()
	noTimes.IssuedAt, noTimes.Expiry = nil, nil
	expired := validAssertion()
	expired.IssuedAt = jwt.NewNumericDate(time.Now().Add(-10 * time.Minute))
	expired.Expiry = jwt.NewNumericDate(time.Now().Add(-5 * time.Minute))
	wrongAud := validAssertion()
	wrongAud.Audience = []string{"other-app"}
	tests := []struct {
		name     string
		headers  http.Header
		verified bool
		want     []string
		wantNot  []string
	}{
		{"verified", http.Header{"X-Vigil-Assertion": {good}}, true,
			[]string{"Verified: yes", "alice@example.com", "engineering, admins", "urn:vigil:demo:pwd", "sess-1", good, "No client-sent"},
			[]string{"Verified: no"}},
		{"no header", nil, false, []string{"Verified: no", "did not come through the Vigil gateway"}, []string{"u-alice"}},
		{"repeated header", http.Header{"X-Vigil-Assertion": {good, good}}, false, []string{"sent 2 times"}, []string{"Verified: yes"}},
		{"wrong audience", http.Header{"X-Vigil-Assertion": {g.sign(t, wrongAud)}}, false, []string{"Verified: no", "audience", "NOT verified"}, []string{"Verified: yes"}},
		{"no exp", http.Header{"X-Vigil-Assertion": {g.sign(t, noTimes)}}, false, []string{"Verified: no", "exp and iat are required"}, nil},
		{"expired", http.Header{"X-Vigil-Assertion": {g.sign(t, expired)}}, false, []string{"Verified: no", "expired at"}, []string{"Verified: yes"}},
		{"garbage", http.Header{"X-Vigil-Assertion": {"<script>alert(1)</script>"}}, false, []string{"Verified: no", "&lt;script&gt;"}, []string{"<script>"}},
		{"forged identity header flagged", http.Header{"X-Vigil-Assertion": {good}, "X-Vigil-User": {"admin"}}, true,
			[]string{"Unexpected identity headers", "X-Vigil-User"}, []string{"No client-sent"}},
		{"credentials redacted", http.Header{"X-Vigil-Assertion": {good}, "Cookie": {"vigil_session=topsecret"}, "Authorization": {"Bearer abc"}}, true,
			[]string{"(redacted, 23 bytes)", "(redacted, 10 bytes)"}, []string{"topsecret", "Bearer abc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, srv.URL+"/", tt.headers)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(body, w) {
					t.Errorf("page contains %q", w)
				}
			}
			if !strings.Contains(body, `href="/.vigil/logout"`) {
				t.Error("no sign-out link")
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("CSP %q", csp)
			}
		})
	}
}

func TestWhoami(t *testing.T) {
	g := newGateway(t)
	srv := newApp(t, g, nil)
	tests := []struct {
		name    string
		headers http.Header
		status  int
		check   func(t *testing.T, r whoamiResponse)
	}{
		{"verified", http.Header{"X-Vigil-Assertion": {g.sign(t, validAssertion())}}, http.StatusOK, func(t *testing.T, r whoamiResponse) {
			if !r.Verified || r.Claims["sub"] != "u-alice" || r.Claims["acr"] != "urn:vigil:demo:pwd" || r.Claims["sid"] != "sess-1" {
				t.Errorf("claims %+v", r.Claims)
			}
			groups, _ := r.Claims["groups"].([]any)
			if len(groups) != 2 || groups[0] != "engineering" {
				t.Errorf("groups %v", r.Claims["groups"])
			}
			if _, ok := r.Claims["exp"].(float64); !ok {
				t.Errorf("exp %v", r.Claims["exp"])
			}
		}},
		{"missing", nil, http.StatusUnauthorized, func(t *testing.T, r whoamiResponse) {
			if r.Verified || r.Claims != nil || r.Error == "" {
				t.Errorf("%+v", r)
			}
		}},
		{"stray header", http.Header{"X-Vigil-Email": {"ceo@example.com"}}, http.StatusUnauthorized, func(t *testing.T, r whoamiResponse) {
			if !slices.Equal(r.Unexpected, []string{"X-Vigil-Email"}) {
				t.Errorf("unexpected %v", r.Unexpected)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, srv.URL+"/api/whoami", tt.headers)
			if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("status %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			var r whoamiResponse
			if err := json.Unmarshal([]byte(body), &r); err != nil {
				t.Fatal(err)
			}
			tt.check(t, r)
		})
	}
}

// TestStreamFlushes reads each line while the handler is paused before the
// next one: without a flush per line the read would block until timeout.
func TestStreamFlushes(t *testing.T) {
	g := newGateway(t)
	gate := make(chan struct{})
	srv := newApp(t, g, func(c *Config) {
		c.StreamLines = 3
		c.StreamPause = func(ctx context.Context) error {
			select {
			case <-gate:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/stream", nil)
	req.Header.Set("X-Vigil-Assertion", g.sign(t, validAssertion()))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := bufio.NewReader(resp.Body)
	for i := 1; i <= 3; i++ {
		line, err := lines.ReadString('\n')
		if err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if !strings.HasPrefix(line, "line ") || !strings.Contains(line, "u-alice") {
			t.Fatalf("line %d = %q", i, line)
		}
		if i < 3 {
			gate <- struct{}{} // release the next line only after this one arrived
		}
	}
	if _, err := lines.ReadString('\n'); !errors.Is(err, io.EOF) {
		t.Fatalf("after last line: %v", err)
	}
}

func TestNewRequiresVerifier(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("New without a verifier succeeded")
	}
}

func TestNotFound(t *testing.T) {
	srv := newApp(t, newGateway(t), nil)
	if resp, _ := get(t, srv.URL+"/nope", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// BenchmarkHome measures the page handler with a verified assertion (key
// set cached after the first request), without the network.
func BenchmarkHome(b *testing.B) {
	g := newGateway(b)
	v, err := vigilauth.NewVerifier(context.Background(), vigilauth.Config{JWKSURL: g.jwks.URL, Issuer: gwIssuer, Audience: audience})
	if err != nil {
		b.Fatal(err)
	}
	app, err := New(Config{Verifier: v})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Vigil-Assertion", g.sign(b, validAssertion()))
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		app.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Verified: yes") {
			b.Fatalf("status %d", w.Code)
		}
	}
}
