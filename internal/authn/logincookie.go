package authn

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// loginTTL is how long a user has between /start and /callback.
const loginTTL = 10 * time.Minute

// maxLoginCookies bounds concurrent logins (tabs) per browser; beyond it
// the old ones are dropped so request headers stay small.
const maxLoginCookies = 5

// maxLoginCookieLen refuses oversized values before any crypto work.
const maxLoginCookieLen = 4096

// transaction is one login in progress, kept only in the encrypted login
// cookie: the gateway holds no server-side state between /start and
// /callback beyond the replay ledger.
type transaction struct {
	Version  int       `json:"v"`
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"pv"`
	Provider string    `json:"p"`
	Return   string    `json:"rd"`
	Expires  time.Time `json:"exp"`
	// Verify is set for an identity verification (see verify.go's
	// sibling stepup.go): Provider is then a verifier.
	Verify *verifyTx `json:"vf,omitempty"`
}

var errLoginCookie = errors.New("login cookie does not decrypt or decode")

// loginCodec seals transactions with AES-256-GCM. The cookie name is the
// associated data, so a value cannot be moved to another login's name.
type loginCodec struct {
	aead   cipher.AEAD
	rand   io.Reader
	prefix string // "__Secure-vigil_login_" under https, else "vigil_login_"
	secure bool
}

func newLoginCodec(key []byte, rand io.Reader, secure bool) (*loginCodec, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("login cookie key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("login cookie key: %w", err)
	}
	prefix := "vigil_login_"
	if secure {
		prefix = "__Secure-" + prefix // browsers then refuse it without Secure
	}
	return &loginCodec{aead: aead, rand: rand, prefix: prefix, secure: secure}, nil
}

// name is the cookie name for a state: each login (tab) gets its own
// cookie, found again from the state the provider echoes back.
func (c *loginCodec) name(state string) string {
	sum := sha256.Sum256([]byte(state))
	return c.prefix + hex.EncodeToString(sum[:8])
}

func (c *loginCodec) seal(name string, tx *transaction) (string, error) {
	plain, err := json.Marshal(tx)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
	if _, err := io.ReadFull(c.rand, nonce); err != nil {
		return "", fmt.Errorf("reading randomness: %w", err)
	}
	out := c.aead.Seal(nonce, nonce, plain, []byte(name))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// open decrypts and decodes a cookie value. Any failure is the same error:
// the caller must not learn which step failed.
func (c *loginCodec) open(name, value string) (*transaction, error) {
	if len(value) > maxLoginCookieLen || !isBase64URL(value) {
		return nil, errLoginCookie
	}
	// Strict: one encoding per value, no malleable trailing bits.
	raw, err := base64.RawURLEncoding.Strict().DecodeString(value)
	if err != nil || len(raw) < c.aead.NonceSize()+c.aead.Overhead() {
		return nil, errLoginCookie
	}
	ns := c.aead.NonceSize()
	plain, err := c.aead.Open(nil, raw[:ns], raw[ns:], []byte(name))
	if err != nil {
		return nil, errLoginCookie
	}
	var tx transaction
	if err := json.Unmarshal(plain, &tx); err != nil || tx.Version != 1 || tx.State == "" ||
		tx.Nonce == "" || tx.Verifier == "" || tx.Provider == "" || tx.Return == "" {
		return nil, errLoginCookie
	}
	return &tx, nil
}

// isBase64URL reports whether s uses only the unpadded base64url alphabet
// (the decoder would otherwise skip newlines, making values malleable).
func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// cookie builds the login cookie; maxAge < 0 deletes it.
func (c *loginCodec) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     pathPrefix,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   c.secure,
		// Lax: the provider's redirect back is a top-level GET navigation,
		// which Lax cookies accompany; cross-site subrequests get nothing.
		SameSite: http.SameSiteLaxMode,
	}
}

// loginCookies lists the names of login cookies the request carries.
func (c *loginCodec) loginCookies(r *http.Request) []string {
	var names []string
	for _, ck := range r.Cookies() {
		if strings.HasPrefix(ck.Name, c.prefix) {
			names = append(names, ck.Name)
		}
	}
	return names
}
