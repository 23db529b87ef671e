package session

import (
	"bytes"
	"crypto/cipher"
	"errors"
	"strings"
	"testing"
)

func testCodec(t testing.TB, keyByte byte) *codec {
	t.Helper()
	c, err := newCodec(bytes.Repeat([]byte{keyByte}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fixedCookie seals a known token with a known nonce.
func fixedCookie(t testing.TB, c *codec) (string, token) {
	t.Helper()
	var tok token
	for i := range tok {
		tok[i] = byte(i)
	}
	v, err := c.encode(tok, bytes.NewReader(bytes.Repeat([]byte{7}, nonceLen)))
	if err != nil {
		t.Fatal(err)
	}
	return v, tok
}

// sealRaw builds a cookie from an arbitrary plaintext, to test versions.
func sealRaw(aead cipher.AEAD, plain []byte) string {
	out := make([]byte, nonceLen, nonceLen+len(plain)+tagLen)
	out = aead.Seal(out, out[:nonceLen], plain, nil)
	return b64.EncodeToString(out)
}

// flip changes the character at i to another valid base64url character.
func flip(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

func decodeCases(t testing.TB) (valid string, bad map[string]string) {
	c := testCodec(t, 1)
	valid, _ = fixedCookie(t, c)
	other, _ := fixedCookie(t, testCodec(t, 2))
	v2 := append([]byte{2}, make([]byte, tokenLen)...)
	last := valid[len(valid)-1]
	// The final character carries 2 data bits and 4 unused ones: setting an
	// unused bit gives a second spelling of the same bytes.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	nonCanonical := valid[:len(valid)-1] + string(alphabet[strings.IndexByte(alphabet, last)|1])
	return valid, map[string]string{
		"empty":            "",
		"short":            valid[:cookieLen-1],
		"long":             valid + "A",
		"padded":           valid + "==",
		"std alphabet":     strings.Repeat("+/", cookieLen/2),
		"not base64":       strings.Repeat("!", cookieLen),
		"tampered nonce":   flip(valid, 0),
		"tampered middle":  flip(valid, cookieLen/2),
		"tampered tag":     flip(valid, cookieLen-2),
		"non-canonical":    nonCanonical,
		"other key":        other,
		"unknown version":  sealRaw(c.aead, v2),
		"short plaintext":  sealRaw(c.aead, []byte{cookieVersion}),
		"all zero":         strings.Repeat("A", cookieLen),
		"unicode":          strings.Repeat("é", cookieLen/2),
		"nul bytes":        strings.Repeat("\x00", cookieLen),
		"version only A's": b64.EncodeToString(make([]byte, sealedLen)),
	}
}

func TestCookieRoundTrip(t *testing.T) {
	c := testCodec(t, 1)
	v, tok := fixedCookie(t, c)
	if len(v) != cookieLen {
		t.Fatalf("cookie length %d, want %d", len(v), cookieLen)
	}
	got, err := c.decode(v)
	if err != nil || got != tok {
		t.Fatalf("decode = %x, %v; want %x", got, err, tok)
	}
	if strings.Contains(v, tok.id()) {
		t.Fatal("cookie contains the session ID")
	}
}

func TestDecodeRejects(t *testing.T) {
	c := testCodec(t, 1)
	valid, bad := decodeCases(t)
	if _, err := c.decode(valid); err != nil {
		t.Fatalf("valid cookie rejected: %v", err)
	}
	for name, v := range bad {
		t.Run(name, func(t *testing.T) {
			if v == valid {
				t.Fatal("case equals the valid cookie")
			}
			if tok, err := c.decode(v); !errors.Is(err, errMalformed) {
				t.Fatalf("decode(%q) = %x, %v; want errMalformed", v, tok, err)
			}
		})
	}
}

func TestEncodeRandomFailure(t *testing.T) {
	c := testCodec(t, 1)
	if _, err := c.encode(token{}, bytes.NewReader(make([]byte, nonceLen-1))); err == nil {
		t.Fatal("encode with a short random source succeeded")
	}
	if _, err := newToken(bytes.NewReader(make([]byte, tokenLen-1))); err == nil {
		t.Fatal("newToken with a short random source succeeded")
	}
}

func FuzzDecodeCookie(f *testing.F) {
	c := testCodec(f, 1)
	valid, bad := decodeCases(f)
	f.Add(valid)
	for _, v := range bad {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		tok, err := c.decode(v)
		// Strict base64 gives each sealed value one spelling, and forging
		// another needs the key: only the one valid cookie may decode.
		if err == nil && v != valid {
			t.Fatalf("decode accepted %q as token %x", v, tok)
		}
		if err != nil && !errors.Is(err, errMalformed) {
			t.Fatalf("unexpected error type %v", err)
		}
	})
}
