package authn

import (
	"errors"
	"net/url"
	"strings"
)

// maxReturnLen bounds a return URL; longer ones are refused rather than
// carried in cookies and logs.
const maxReturnLen = 2048

var errUnsafeReturn = errors.New("unsafe return URL")

// SafeReturn checks a return URL (the rd parameter) and returns its
// normalized form. It accepts a path starting with a single "/", or an
// absolute http(s) URL whose host the gateway serves; anything else is an
// open redirect waiting to happen and is refused.
func (h *Handler) SafeReturn(raw string) (string, error) {
	return safeReturn(raw, h.hostAllowed, h.public.Scheme, h.publicPort)
}

// safeReturn is SafeReturn with its dependencies explicit. publicScheme
// and publicPort are the gateway's ("" port for the scheme default); an
// absolute URL must use that port so that rd cannot name another service
// on an app host, and https when the gateway does, so that a sign-in never
// ends on plain HTTP where the page (and what the user types) can be read
// and changed on the way.
func safeReturn(raw string, hostAllowed func(string) bool, publicScheme, publicPort string) (string, error) {
	if raw == "" || len(raw) > maxReturnLen {
		return "", errUnsafeReturn
	}
	for i := 0; i < len(raw); i++ {
		// Spaces, control characters (browsers drop tab and newline, turning
		// "/\t/evil" into "//evil"), backslashes (browsers read "/\evil"
		// as "//evil") and non-ASCII (look-alike tricks) are all refused.
		c := raw[i]
		if c <= 0x20 || c >= 0x7f || c == '\\' {
			return "", errUnsafeReturn
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.User != nil {
		return "", errUnsafeReturn
	}
	if strings.HasPrefix(raw, "/") {
		// Path-absolute only: "//host" is protocol-relative.
		if strings.HasPrefix(raw, "//") || u.Scheme != "" || u.Host != "" {
			return "", errUnsafeReturn
		}
		if p, err := url.PathUnescape(u.EscapedPath()); err != nil || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
			return "", errUnsafeReturn
		}
		return bounded(u.String())
	}
	switch u.Scheme {
	case "https":
	case "http":
		if publicScheme == "https" {
			return "", errUnsafeReturn
		}
	default:
		return "", errUnsafeReturn
	}
	// The scheme must be followed by "//": "http:/evil" and "http:evil"
	// are read differently by browsers and parsers.
	if !strings.HasPrefix(raw[len(u.Scheme)+1:], "//") || u.Host == "" || u.Hostname() == "" {
		return "", errUnsafeReturn
	}
	if u.Port() != publicPort {
		return "", errUnsafeReturn
	}
	host := strings.ToLower(u.Hostname())
	if hostAllowed == nil || !hostAllowed(host) {
		return "", errUnsafeReturn
	}
	u.Host = strings.ToLower(u.Host)
	return bounded(u.String())
}

// bounded refuses a normalized URL that grew past the limit (escaping can
// lengthen it), so that SafeReturn accepts its own output.
func bounded(s string) (string, error) {
	if len(s) > maxReturnLen {
		return "", errUnsafeReturn
	}
	return s, nil
}
