package gateway

import (
	"net/http"
	"strings"
)

// cookieValue returns the value of the first cookie called name in the
// request's Cookie headers, "" when there is none. Unlike r.Cookie it
// allocates nothing: the request path reads two cookies (session and
// device) on every request. Values are returned as sent, surrounding
// double quotes removed, as net/http does; callers validate them (the
// session codec authenticates its cookie, device IDs are checked).
func cookieValue(h http.Header, name string) string {
	for _, line := range h["Cookie"] {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = strings.TrimSpace(part)
			k, v, ok := strings.Cut(part, "=")
			if !ok || strings.TrimSpace(k) != name {
				continue
			}
			if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v
		}
	}
	return ""
}
