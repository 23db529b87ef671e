package assertion

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/keys"
	"github.com/vigil-gw/vigil/internal/store"
)

// algorithm is the only signing algorithm this package makes or accepts.
const algorithm = "ES256"

// wrapVersion prefixes every wrapped key so the format can change later.
const wrapVersion = 1

// keyWrapper seals private keys for the store. The additional data binds a
// wrapped key to its kid, algorithm and public key, so swapping blobs
// between records or planting a foreign public key fails to unwrap.
type keyWrapper struct {
	aead cipher.AEAD
	rand io.Reader
}

func newKeyWrapper(master []byte, rand io.Reader) (*keyWrapper, error) {
	k, err := keys.Derive(master, keys.PurposeKeyWrap)
	if err != nil {
		return nil, fmt.Errorf("deriving key wrapping key: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("key wrapping cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("key wrapping cipher: %w", err)
	}
	return &keyWrapper{aead: aead, rand: rand}, nil
}

func wrapAD(kid, alg string, pub []byte) []byte {
	ad := make([]byte, 0, 32+len(kid)+len(alg)+len(pub))
	ad = append(ad, "vigil signing key v1\x00"...)
	ad = append(ad, kid...)
	ad = append(ad, 0)
	ad = append(ad, alg...)
	ad = append(ad, 0)
	return append(ad, pub...)
}

// thumbprint is the RFC 7638 JWK thumbprint of pub, base64url: the kid.
func thumbprint(pub *ecdsa.PublicKey) (string, error) {
	jwk := jose.JSONWebKey{Key: pub}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("key thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// seal turns a private key into a store record with the given lifetimes.
func (w *keyWrapper) seal(priv *ecdsa.PrivateKey, created, retire, expires time.Time) (*store.SigningKey, error) {
	kid, err := thumbprint(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("encoding public key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encoding private key: %w", err)
	}
	defer clear(der)
	nonce := make([]byte, w.aead.NonceSize())
	if _, err := io.ReadFull(w.rand, nonce); err != nil {
		return nil, fmt.Errorf("key wrapping nonce: %w", err)
	}
	out := make([]byte, 0, 1+len(nonce)+len(der)+w.aead.Overhead())
	out = append(out, wrapVersion)
	out = append(out, nonce...)
	out = w.aead.Seal(out, nonce, der, wrapAD(kid, algorithm, pub))
	return &store.SigningKey{
		ID: kid, Algorithm: algorithm, PrivateKey: out, PublicKey: pub,
		CreatedAt: created, RetireAt: retire, ExpiresAt: expires,
	}, nil
}

// errUnwrap is wrapped by every failure to open a stored key.
var errUnwrap = errors.New("cannot unwrap signing key (was session.secret changed, or the record altered?)")

// open authenticates and decodes a store record. It checks that the private
// key matches the stored public key and that the kid is its thumbprint.
func (w *keyWrapper) open(rec *store.SigningKey) (*ecdsa.PrivateKey, error) {
	if rec.Algorithm != algorithm {
		return nil, fmt.Errorf("signing key %q: algorithm %q is not %s", rec.ID, rec.Algorithm, algorithm)
	}
	ns := w.aead.NonceSize()
	if len(rec.PrivateKey) < 1+ns+w.aead.Overhead() || rec.PrivateKey[0] != wrapVersion {
		return nil, fmt.Errorf("signing key %q: %w: unknown wrapping format", rec.ID, errUnwrap)
	}
	nonce := rec.PrivateKey[1 : 1+ns]
	der, err := w.aead.Open(nil, nonce, rec.PrivateKey[1+ns:], wrapAD(rec.ID, rec.Algorithm, rec.PublicKey))
	if err != nil {
		return nil, fmt.Errorf("signing key %q: %w", rec.ID, errUnwrap)
	}
	defer clear(der)
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("signing key %q: decoding private key: %w", rec.ID, err)
	}
	priv, ok := parsed.(*ecdsa.PrivateKey)
	if !ok || priv.Curve != elliptic.P256() {
		return nil, fmt.Errorf("signing key %q: not a P-256 key", rec.ID)
	}
	pub, err := x509.ParsePKIXPublicKey(rec.PublicKey)
	if err != nil || !priv.PublicKey.Equal(pub) {
		return nil, fmt.Errorf("signing key %q: public key does not match private key", rec.ID)
	}
	kid, err := thumbprint(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	if kid != rec.ID {
		return nil, fmt.Errorf("signing key %q: kid is not the key's thumbprint", rec.ID)
	}
	return priv, nil
}
