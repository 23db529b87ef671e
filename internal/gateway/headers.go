package gateway

import (
	"net/http"
	"strings"
)

// stripIdentity removes every header a client could use to pose as
// someone: the assertion header and anything named X-Vigil-*, in any case
// and with "_" for "-" (CGI, WSGI, Rack and PHP read X_Vigil_User as
// X-Vigil-User). It runs before the gateway sets its own values, so
// nothing the client sent survives (strip first, then set).
func stripIdentity(h http.Header, assertionHeader string) {
	for k := range h {
		if hasPrefixFold(k, "X-Vigil-") || sameHeader(k, assertionHeader) {
			delete(h, k)
		}
	}
}

// hasPrefixFold is a case-insensitive prefix test treating '_' as '-'.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && sameHeader(s[:len(prefix)], prefix)
}

func sameHeader(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == '_' {
			x = '-'
		}
		if y == '_' {
			y = '-'
		}
		if x|0x20 != y|0x20 || (x|0x20 < 'a' || x|0x20 > 'z') && x != y {
			return false
		}
	}
	return true
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
			name, _, _ := strings.Cut(p, "=")
			// net/http trims names when it reads cookies, so must we.
			if isOurs(strings.TrimSpace(name)) {
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
