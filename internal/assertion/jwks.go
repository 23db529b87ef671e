package assertion

import (
	"net/http"
	"strconv"
)

// JWKSPath is where the gateway serves the public key set.
const JWKSPath = "/.well-known/vigil/jwks.json"

// jwksMaxAge is the Cache-Control max-age of the key set, in seconds. Keys
// are published PublishAhead (default 10m) before they sign, longer than
// this, so a verifier honouring it always knows the signing key.
const jwksMaxAge = 300

// JWKSHandler serves the published public keys (GET and HEAD only). The
// set is rendered when keys change, so serving it costs a copy.
func (s *Signer) JWKSHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body := s.state.Load().jwks
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		h.Set("Cache-Control", "public, max-age="+strconv.Itoa(jwksMaxAge))
		h.Set("X-Content-Type-Options", "nosniff")
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	})
}
