package vigilauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestMiddleware(t *testing.T) {
	g, kid := newGateway(t)
	clk := &testClock{t: testNow}
	v := newTestVerifier(t, g, clk)
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := FromContext(r.Context())
		if !ok {
			t.Error("no claims in context")
			return
		}
		_, _ = w.Write([]byte(c.Subject))
	}))
	good := g.sign(kid, defaultHeader(kid), defaultClaims(testNow))
	tests := []struct {
		name    string
		headers []string
		code    int
		body    string
	}{
		{"valid", []string{good}, http.StatusOK, "user-42"},
		{"missing", nil, http.StatusUnauthorized, "unauthorized\n"},
		{"repeated", []string{good, good}, http.StatusUnauthorized, "unauthorized\n"},
		{"invalid", []string{good + "x"}, http.StatusUnauthorized, "unauthorized\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			for _, v := range tt.headers {
				req.Header.Add(DefaultHeader, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.code || rec.Body.String() != tt.body {
				t.Fatalf("got %d %q", rec.Code, rec.Body.String())
			}
			if tt.code == http.StatusUnauthorized && rec.Header().Get("Cache-Control") != "no-store" {
				t.Fatal("401 without Cache-Control: no-store")
			}
		})
	}
}

func TestFromContextEmpty(t *testing.T) {
	if c, ok := FromContext(context.Background()); ok || c != nil {
		t.Fatal("claims from an empty context")
	}
	if _, ok := FromContext(NewContext(context.Background(), nil)); ok {
		t.Fatal("nil claims reported present")
	}
}
