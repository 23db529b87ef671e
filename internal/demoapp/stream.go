package demoapp

import (
	"fmt"
	"net/http"
	"time"
)

// stream writes StreamLines lines, flushing each, pausing in between: behind
// a buffering proxy they would arrive all at once at the end.
func (a *App) stream(w http.ResponseWriter, r *http.Request) {
	id := a.identify(r)
	who := "an unverified visitor"
	if id.Verified {
		who = id.Claims.Subject
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Accel-Buffering", "no")
	rc := http.NewResponseController(w)
	for i := 1; i <= a.cfg.StreamLines; i++ {
		if i > 1 {
			if err := a.cfg.StreamPause(r.Context()); err != nil {
				return // client went away
			}
		}
		if _, err := fmt.Fprintf(w, "line %d of %d for %s at %s\n", i, a.cfg.StreamLines, who, a.cfg.Clock().UTC().Format(time.RFC3339Nano)); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			a.cfg.Logger.InfoContext(r.Context(), "demo app: stream cannot flush", "error", err)
			return
		}
	}
}
