package vigilauth

import (
	"context"
	"net/http"
)

type ctxKey struct{}

// NewContext returns ctx carrying c (for tests of handlers that read it).
func NewContext(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// FromContext returns the claims Middleware verified for this request.
func FromContext(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(ctxKey{}).(*Claims)
	return c, ok && c != nil
}

// Middleware verifies the assertion in the configured header and calls
// next with the claims in the request context, or answers 401. A request
// with the header repeated is refused: which copy the gateway set would be
// ambiguous.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vals := r.Header.Values(v.cfg.Header)
		if len(vals) != 1 {
			v.cfg.Logger.InfoContext(r.Context(), "vigil assertion missing or repeated", "count", len(vals))
			unauthorized(w)
			return
		}
		c, err := v.Verify(r.Context(), vals[0])
		if err != nil {
			v.cfg.Logger.InfoContext(r.Context(), "vigil assertion rejected", "err", err)
			unauthorized(w)
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), c)))
	})
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}
