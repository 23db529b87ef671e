package opkeys

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vigil-gw/vigil/internal/keys"
	"github.com/vigil-gw/vigil/internal/oidcop"
	"github.com/vigil-gw/vigil/internal/store"
)

// purposeWrap derives the wrapping key. It differs from
// keys.PurposeKeyWrap so that an OP key and an assertion key can never be
// opened by the other's code. Changing it orphans every stored OP key.
const purposeWrap = "vigil op signing key wrap v1"

// wrapVersion prefixes every wrapped key so the format can change later.
const wrapVersion = 1

// Algorithms this package makes and accepts.
const (
	RS256 = "RS256"
	ES256 = "ES256"
)

// ErrUnwrap is wrapped by every failure to authenticate a stored key.
var ErrUnwrap = errors.New("cannot unwrap OP signing key (was the master secret changed, or the record altered?)")

// wrapper seals private keys for the store.
type wrapper struct {
	aead cipher.AEAD
	rand io.Reader
}

func newWrapper(master []byte, rand io.Reader) (*wrapper, error) {
	k, err := keys.Derive(master, purposeWrap)
	if err != nil {
		return nil, fmt.Errorf("deriving OP key wrapping key: %w", err)
	}
	defer clear(k)
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("OP key wrapping cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("OP key wrapping cipher: %w", err)
	}
	return &wrapper{aead: aead, rand: rand}, nil
}

// additionalData binds the sealed key to everything else in its record:
// moving a blob to another record, planting a foreign public key or
// stretching a key's lifetimes all fail to open.
func additionalData(rec *store.SigningKey) []byte {
	ad := make([]byte, 0, 64+len(rec.ID)+len(rec.Algorithm)+len(rec.PublicKey))
	ad = append(ad, "vigil op signing key v1\x00"...)
	for _, t := range []time.Time{rec.CreatedAt, rec.RetireAt, rec.ExpiresAt} {
		ad = binary.BigEndian.AppendUint64(ad, uint64(t.UnixMicro()))
	}
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(rec.ID)))
	ad = append(ad, rec.ID...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(rec.Algorithm)))
	ad = append(ad, rec.Algorithm...)
	return append(ad, rec.PublicKey...)
}

// seal turns a private key into a store record with the given lifetimes,
// rounded to the microseconds every store keeps.
func (w *wrapper) seal(priv crypto.Signer, created, retire, expires time.Time) (*store.SigningKey, error) {
	sk, err := oidcop.NewSigningKey(priv)
	if err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return nil, fmt.Errorf("encoding public key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encoding private key: %w", err)
	}
	defer clear(der)
	micro := func(t time.Time) time.Time { return t.Truncate(time.Microsecond).UTC() }
	rec := &store.SigningKey{
		ID: sk.ID(), Algorithm: sk.Algorithm(), PublicKey: pub,
		CreatedAt: micro(created), RetireAt: micro(retire), ExpiresAt: micro(expires),
	}
	if err := checkLifetimes(rec); err != nil {
		return nil, err
	}
	nonce := make([]byte, w.aead.NonceSize())
	if _, err := io.ReadFull(w.rand, nonce); err != nil {
		return nil, fmt.Errorf("OP key wrapping nonce: %w", err)
	}
	out := make([]byte, 0, 1+len(nonce)+len(der)+w.aead.Overhead())
	out = append(out, wrapVersion)
	out = append(out, nonce...)
	rec.PrivateKey = w.aead.Seal(out, nonce, der, additionalData(rec))
	return rec, nil
}

func checkLifetimes(rec *store.SigningKey) error {
	if rec.CreatedAt.IsZero() || !rec.CreatedAt.Before(rec.RetireAt) || !rec.RetireAt.Before(rec.ExpiresAt) {
		return fmt.Errorf("OP signing key %q: lifetimes out of order (created %s, retire %s, expires %s)",
			rec.ID, rec.CreatedAt, rec.RetireAt, rec.ExpiresAt)
	}
	return nil
}

// open authenticates and decodes a store record. Beyond the AEAD it checks
// that the private key matches the stored public key, that the kid is its
// RFC 7638 thumbprint and that the algorithm is the key's.
func (w *wrapper) open(rec *store.SigningKey) (*oidcop.SigningKey, crypto.Signer, error) {
	if rec.Algorithm != RS256 && rec.Algorithm != ES256 {
		return nil, nil, fmt.Errorf("OP signing key %q: unsupported algorithm %q", rec.ID, rec.Algorithm)
	}
	if err := checkLifetimes(rec); err != nil {
		return nil, nil, err
	}
	ns := w.aead.NonceSize()
	if len(rec.PrivateKey) < 1+ns+w.aead.Overhead() || rec.PrivateKey[0] != wrapVersion {
		return nil, nil, fmt.Errorf("OP signing key %q: %w: unknown wrapping format", rec.ID, ErrUnwrap)
	}
	nonce := rec.PrivateKey[1 : 1+ns]
	der, err := w.aead.Open(nil, nonce, rec.PrivateKey[1+ns:], additionalData(rec))
	if err != nil {
		return nil, nil, fmt.Errorf("OP signing key %q: %w", rec.ID, ErrUnwrap)
	}
	defer clear(der)
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, nil, fmt.Errorf("OP signing key %q: decoding private key: %w", rec.ID, err)
	}
	var priv crypto.Signer
	switch k := parsed.(type) {
	case *rsa.PrivateKey:
		priv = k
	case *ecdsa.PrivateKey:
		priv = k
	default:
		return nil, nil, fmt.Errorf("OP signing key %q: unsupported key type %T", rec.ID, parsed)
	}
	sk, err := oidcop.NewSigningKey(priv) // checks RSA size and the curve
	if err != nil {
		return nil, nil, fmt.Errorf("OP signing key %q: %w", rec.ID, err)
	}
	pub, err := x509.ParsePKIXPublicKey(rec.PublicKey)
	if err != nil {
		return nil, nil, fmt.Errorf("OP signing key %q: decoding public key: %w", rec.ID, err)
	}
	if eq, ok := priv.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(pub) {
		return nil, nil, fmt.Errorf("OP signing key %q: public key does not match private key", rec.ID)
	}
	if sk.Algorithm() != rec.Algorithm {
		return nil, nil, fmt.Errorf("OP signing key %q: stored as %s but is a %s key", rec.ID, rec.Algorithm, sk.Algorithm())
	}
	if sk.ID() != rec.ID {
		return nil, nil, fmt.Errorf("OP signing key %q: kid is not the key's thumbprint", rec.ID)
	}
	return sk, priv, nil
}
