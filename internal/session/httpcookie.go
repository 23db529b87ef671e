package session

import (
	"net/http"
	"time"
)

// CookieName is the name of the session cookie.
func (m *Manager) CookieName() string { return m.cookieName }

// Cookie returns the session cookie to set for value: HttpOnly, SameSite=Lax
// (sent on top-level navigations from other sites, so links into apps work,
// but not on cross-site subrequests), Path "/", and Secure when secure. It
// lives as long as the absolute timeout; the server enforces expiry anyway.
func (m *Manager) Cookie(value string, secure bool) *http.Cookie {
	return &http.Cookie{
		Name:     m.cookieName,
		Value:    value,
		Path:     "/",
		Domain:   m.domain,
		MaxAge:   int(m.absolute / time.Second),
		Secure:   secure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}

// ClearCookie returns a cookie that deletes the session cookie.
func (m *Manager) ClearCookie(secure bool) *http.Cookie {
	c := m.Cookie("", secure)
	c.MaxAge = -1
	return c
}
