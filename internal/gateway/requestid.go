package gateway

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync/atomic"
)

// RequestIDs numbers requests: a random per-process prefix and a counter,
// cheaper than random bytes per request and unique across restarts.
type RequestIDs struct {
	prefix string
	n      atomic.Uint64
}

// NewRequestIDs draws the prefix.
func NewRequestIDs() *RequestIDs {
	b := make([]byte, 6)
	rand.Read(b)
	return &RequestIDs{prefix: hex.EncodeToString(b) + "-"}
}

// Stamp gives r a fresh X-Request-Id, replacing any the client sent (so a
// client cannot make log lines collide), and echoes it in the response.
func (ids *RequestIDs) Stamp(w http.ResponseWriter, r *http.Request) {
	var buf [32]byte
	b := append(buf[:0], ids.prefix...)
	b = strconv.AppendUint(b, ids.n.Add(1), 36)
	v := []string{string(b)}
	r.Header["X-Request-Id"] = v
	w.Header()["X-Request-Id"] = v
}

// RequestID returns the id Stamp gave r.
func RequestID(r *http.Request) string {
	if v := r.Header["X-Request-Id"]; len(v) > 0 {
		return v[0]
	}
	return ""
}
