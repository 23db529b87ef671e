package demoidp

import (
	"net/http"
	"testing"

	"github.com/vigil-gw/vigil/internal/testenv/codeflow"
)

// recorder is a minimal http.ResponseWriter for rendering benchmarks.
type recorder struct {
	header http.Header
	body   interface{ Write([]byte) (int, error) }
	status int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(s int)           { r.status = s }

func BenchmarkPasswordCheck(b *testing.B) {
	d := newDirectory(DefaultUsers(), []byte("bench-key"))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := d.Check("alice", alicePass); !ok {
			b.Fatal("check failed")
		}
	}
}

// BenchmarkCodeFlow measures a whole authorization over real HTTP on
// loopback: authorize, login page, form post, callback, token exchange.
func BenchmarkCodeFlow(b *testing.B) {
	e := newEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		v, ch := codeflow.PKCE()
		code := e.login(codeflow.Browser(b), publicID, ch, "alice", alicePass)
		if tok := e.exchange(publicID, "", "none", code, v); tok.Status != http.StatusOK {
			b.Fatalf("exchange: %d", tok.Status)
		}
	}
}
