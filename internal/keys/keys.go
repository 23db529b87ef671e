// Package keys derives purpose-bound keys from the configured master secret
// (HKDF-SHA256), so that one leaked derived key reveals nothing of the
// others. It holds no state and never logs key material.
package keys

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// MinSecretLen is the shortest master secret accepted, in bytes.
const MinSecretLen = 32

// Purposes. Changing a string invalidates every value protected under it.
const (
	PurposeSessionCookie = "vigil session cookie v1"
	PurposeLoginCookie   = "vigil login cookie v1"
	PurposeKeyWrap       = "vigil signing key wrap v1"
)

// Derive returns a 32-byte key for purpose from master.
func Derive(master []byte, purpose string) ([]byte, error) {
	if len(master) < MinSecretLen {
		return nil, fmt.Errorf("master secret is %d bytes; at least %d are required", len(master), MinSecretLen)
	}
	return hkdf.Key(sha256.New, master, nil, purpose, 32)
}
