package review

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

// benchServe measures one page through the handler (assertion check,
// store reads, render), without the network.
func benchServe(b *testing.B, path string) {
	e := newEnv(b, nil)
	for i := range 50 {
		e.seed(fmt.Sprintf("v-%02d", i), store.VerificationReview, "ada@corp.example", "Anna Maria Eriksson", time.Duration(i)*time.Minute)
	}
	h := e.srv.Config.Handler
	tok := e.reviewerToken()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set(vigilauth.DefaultHeader, tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

func BenchmarkQueue50(b *testing.B)  { benchServe(b, "/") }
func BenchmarkDetail(b *testing.B)   { benchServe(b, "/v/v-07") }
func BenchmarkEvidence(b *testing.B) { benchServe(b, "/v/v-07/evidence/v-07-doc") }
