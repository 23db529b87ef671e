package gateway

import (
	"net/http"
	"strings"
)

// checkRequest refuses requests whose target could be read two ways: the
// gateway picks an app (and so a policy) from the path, and an upstream
// that normalises differently (merging slashes, resolving "..", treating
// ";" or "\" as separators, decoding %2F) could then serve a page under a
// weaker policy than its own. Rather than guess each upstream's rules, the
// gateway only accepts paths that every reasonable server reads alike.
// It returns a user-safe reason, or "" when the request is acceptable.
func checkRequest(r *http.Request) string {
	if r.Method == http.MethodConnect {
		return "method-not-allowed"
	}
	p := r.URL.Path
	if p == "" || p[0] != '/' {
		return "path-not-absolute"
	}
	if !validHost(r.Host) {
		return "bad-host"
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c < 0x20 || c == 0x7f || c == '\\' || c == ';':
			return "path-not-canonical"
		case c == '/' && i+1 < len(p) && p[i+1] == '/':
			return "path-not-canonical"
		case c == '.' && p[i-1] == '/':
			// "/." or "/.." as a whole segment.
			rest := p[i+1:]
			if rest == "" || rest[0] == '/' || (rest[0] == '.' && (len(rest) == 1 || rest[1] == '/')) {
				return "path-not-canonical"
			}
		}
	}
	if raw := r.URL.RawPath; raw != "" && hasEncodedSeparator(raw) {
		return "path-not-canonical"
	}
	return ""
}

// hasEncodedSeparator finds %2F, %5C and %2E (any case): encoded forms of
// characters that change how a path splits into segments.
func hasEncodedSeparator(raw string) bool {
	for i := 0; i+2 < len(raw); i++ {
		if raw[i] != '%' {
			continue
		}
		h, l := raw[i+1], raw[i+2]|0x20
		if (h == '2' && (l == 'f' || l == 'e')) || (h == '5' && l == 'c') {
			return true
		}
	}
	return false
}

// validHost accepts a DNS name, IPv4 or bracketed IPv6 literal with an
// optional port; anything else cannot name one of our apps.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '.' || c == '-' || c == ':' || c == '[' || c == ']') {
			return false
		}
	}
	return true
}

// dropOurSetCookies removes Set-Cookie headers for Vigil's own cookies from
// an upstream response: an app must not be able to plant or clear a
// session in the user's browser.
func dropOurSetCookies(h http.Header, isOurs func(string) bool) {
	lines := h["Set-Cookie"]
	if len(lines) == 0 {
		return
	}
	kept := lines[:0]
	for _, l := range lines {
		name, _, _ := strings.Cut(l, "=")
		if isOurs(strings.TrimSpace(name)) {
			continue
		}
		kept = append(kept, l)
	}
	if len(kept) == 0 {
		delete(h, "Set-Cookie")
		return
	}
	h["Set-Cookie"] = kept
}
