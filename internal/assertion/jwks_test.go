package assertion

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/hex"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixedKey returns a P-256 key from a fixed scalar, for golden output.
func fixedKey(t *testing.T, dHex string) *signingKey {
	t.Helper()
	d, err := hex.DecodeString(dHex)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		t.Fatal(err)
	}
	kid, err := thumbprint(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	k, err := newSigningKey(kid, priv, testStart, testStart.Add(time.Hour), testStart.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestJWKSGolden(t *testing.T) {
	keys := []*signingKey{
		fixedKey(t, "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"),
		fixedKey(t, "519b423d715f8b581f4fa8ee59f4771a5b44c8130b4e3eacca54a56dda72b464"),
	}
	got, err := renderJWKS(keys)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "jwks.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("JWKS differs from %s (run with -update if intended):\n%s", golden, got)
	}
	for _, secret := range []string{`"d"`, "c9afa9d8", "519b423d"} {
		if strings.Contains(string(got), secret) {
			t.Fatalf("JWKS leaks private material %s", secret)
		}
	}
}

func TestJWKSHandler(t *testing.T) {
	clk := &fakeClock{t: testStart}
	s := newTestSigner(t, &memKeyStore{}, clk)
	h := s.JWKSHandler()
	tests := []struct {
		method   string
		code     int
		wantBody bool
	}{
		{http.MethodGet, http.StatusOK, true},
		{http.MethodHead, http.StatusOK, false},
		{http.MethodPost, http.StatusMethodNotAllowed, false},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, JWKSPath, nil))
			if rec.Code != tt.code {
				t.Fatalf("code = %d", rec.Code)
			}
			if tt.code != http.StatusOK {
				return
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=300" {
				t.Fatalf("Cache-Control = %q", cc)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type = %q", ct)
			}
			body := rec.Body.String()
			if tt.wantBody != strings.Contains(body, currentKID(s)) {
				t.Fatalf("body = %q", body)
			}
		})
	}
}
