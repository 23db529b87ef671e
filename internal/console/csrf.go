package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// The CSRF token is an HMAC of the session ID under a key derived from the
// master secret: bound to one session, valid on every replica, never
// stored, and useless to anyone who cannot read a console page.

const csrfLabel = "vigil console csrf\x00"

func csrfToken(key []byte, sessionID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(csrfLabel))
	m.Write([]byte(sessionID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfValid compares in constant time; anything but the exact token fails.
func csrfValid(key []byte, sessionID, got string) bool {
	if got == "" || len(got) > 64 {
		return false
	}
	return hmac.Equal([]byte(got), []byte(csrfToken(key, sessionID)))
}
