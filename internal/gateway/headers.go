package gateway

import (
	"net/http"
	"strings"
)

// stripIdentity removes every header a client could use to pose as
// someone: the assertion header and anything named X-Vigil-*. It runs
// before the gateway sets its own values, so nothing the client sent
// survives (strip first, then set).
func stripIdentity(h http.Header, assertionHeader string) {
	for k := range h {
		if len(k) >= 8 && strings.EqualFold(k[:8], "X-Vigil-") || strings.EqualFold(k, assertionHeader) {
			delete(h, k)
		}
	}
}

// stripCookies removes Vigil's own cookies from the Cookie header so that
// upstream apps never see session or login cookies.
func stripCookies(h http.Header, isOurs func(name string) bool) {
	lines := h["Cookie"]
	if len(lines) == 0 {
		return
	}
	var kept []string
	changed := false
	for _, line := range lines {
		parts := strings.Split(line, ";")
		out := parts[:0]
		for _, p := range parts {
			name, _, _ := strings.Cut(strings.TrimSpace(p), "=")
			if isOurs(name) {
				changed = true
				continue
			}
			out = append(out, p)
		}
		if len(out) > 0 {
			kept = append(kept, strings.TrimSpace(strings.Join(out, ";")))
		}
	}
	if !changed {
		return
	}
	if len(kept) == 0 {
		delete(h, "Cookie")
		return
	}
	h["Cookie"] = kept
}
