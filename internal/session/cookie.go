package session

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Cookie wire format, all base64url without padding:
//
//	nonce (12) || AES-256-GCM( version (1) || token (32) )   -> 61 bytes, 82 characters
//
// The token is the secret; the store only ever sees SHA-256 of it.
const (
	cookieVersion = 1
	tokenLen      = 32
	nonceLen      = 12
	tagLen        = 16
	plainLen      = 1 + tokenLen
	sealedLen     = nonceLen + plainLen + tagLen
	cookieLen     = (sealedLen*8 + 5) / 6 // unpadded base64 length
	idLen         = (sha256.Size*8 + 5) / 6
)

// b64 is strict so that each token has exactly one accepted spelling.
var b64 = base64.RawURLEncoding.Strict()

var errMalformed = errors.New("malformed session cookie")

// token is the random secret a cookie carries.
type token [tokenLen]byte

// codec seals and opens session cookies. It is safe for concurrent use.
type codec struct {
	aead    cipher.AEAD
	scratch sync.Pool // *scratch: keeps decoding free of allocations
}

type scratch struct {
	text   [cookieLen]byte
	sealed [sealedLen]byte
	plain  [plainLen]byte
}

func newCodec(key []byte) (*codec, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("session: cookie cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("session: cookie cipher: %w", err)
	}
	c := &codec{aead: aead}
	c.scratch.New = func() any { return new(scratch) }
	return c, nil
}

// newToken reads a fresh token from rand.
func newToken(rand io.Reader) (token, error) {
	var t token
	if _, err := io.ReadFull(rand, t[:]); err != nil {
		return t, fmt.Errorf("session: random token: %w", err)
	}
	return t, nil
}

// encode seals t under a random nonce. A random 96-bit nonce is safe for
// far more cookies than one key will ever issue between secret rotations.
func (c *codec) encode(t token, rand io.Reader) (string, error) {
	var out [sealedLen]byte
	nonce := out[:nonceLen]
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return "", fmt.Errorf("session: random nonce: %w", err)
	}
	var plain [plainLen]byte
	plain[0] = cookieVersion
	copy(plain[1:], t[:])
	c.aead.Seal(out[nonceLen:nonceLen], nonce, plain[:], nil)
	return b64.EncodeToString(out[:]), nil
}

// decode opens a cookie value. Anything but a cookie this key sealed, in
// this version, is errMalformed; it never panics on any input.
func (c *codec) decode(value string) (token, error) {
	var t token
	if len(value) != cookieLen {
		return t, errMalformed
	}
	s := c.scratch.Get().(*scratch)
	defer c.scratch.Put(s)
	copy(s.text[:], value)
	if n, err := b64.Decode(s.sealed[:], s.text[:]); err != nil || n != sealedLen {
		return t, errMalformed
	}
	plain, err := c.aead.Open(s.plain[:0], s.sealed[:nonceLen], s.sealed[nonceLen:], nil)
	if err != nil || len(plain) != plainLen || plain[0] != cookieVersion {
		return t, errMalformed
	}
	copy(t[:], plain[1:])
	clear(s.plain[:]) // leave no token behind in pooled memory
	return t, nil
}

// idInto writes the session ID of t, base64url(SHA-256(token)), into dst.
func (t *token) idInto(dst *[idLen]byte) {
	sum := sha256.Sum256(t[:])
	b64.Encode(dst[:], sum[:])
}

// id returns the session ID of t.
func (t *token) id() string {
	var b [idLen]byte
	t.idInto(&b)
	return string(b[:])
}
