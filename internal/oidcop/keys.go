package oidcop

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// SigningKey is a private key that signs ID tokens: RSA of at least 2048
// bits (RS256) or ECDSA on P-256 (ES256). Its ID is the RFC 7638
// thumbprint, so it changes exactly when the key does. It is immutable.
type SigningKey struct {
	id     string
	alg    jose.SignatureAlgorithm
	signer crypto.Signer
}

// NewSigningKey checks s and wraps it.
func NewSigningKey(s crypto.Signer) (*SigningKey, error) {
	var alg jose.SignatureAlgorithm
	switch k := s.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return nil, errors.New("signing key: RSA keys must have at least 2048 bits")
		}
		alg = jose.RS256
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, errors.New("signing key: ECDSA keys must use P-256 (ES256)")
		}
		alg = jose.ES256
	default:
		return nil, fmt.Errorf("signing key: unsupported type %T (want *rsa.PrivateKey or *ecdsa.PrivateKey)", s)
	}
	thumb, err := (&jose.JSONWebKey{Key: s.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("signing key thumbprint: %w", err)
	}
	return &SigningKey{id: base64.RawURLEncoding.EncodeToString(thumb), alg: alg, signer: s}, nil
}

// ID returns the key ID (kid).
func (k *SigningKey) ID() string { return k.id }

// Algorithm returns RS256 or ES256.
func (k *SigningKey) Algorithm() string { return string(k.alg) }

// KeySource supplies signing keys; rotation lives behind it. The provider
// asks on every token and every JWKS request, so a rotation takes effect at
// once. Implementations must be safe for concurrent use.
type KeySource interface {
	// Current returns the key that signs new tokens.
	Current(ctx context.Context) (*SigningKey, error)
	// Published returns every key relying parties should accept, the
	// current one included: keys published ahead of a rotation and retired
	// keys still within the lifetime of tokens they signed. Only their
	// public halves leave the provider.
	Published(ctx context.Context) ([]*SigningKey, error)
}

// KeyRing is an in-memory KeySource with rotation: Publish announces a key
// ahead of use, Rotate makes a key current (the old one stays published),
// Retire withdraws a non-current key. Relying parties cache JWKS, so
// publish a key well before rotating to it and retire one only after the
// tokens it signed have expired.
type KeyRing struct {
	mu        sync.RWMutex
	current   *SigningKey
	published []*SigningKey // current first
}

var _ KeySource = (*KeyRing)(nil)

// NewKeyRing returns a ring whose only key is current.
func NewKeyRing(current *SigningKey) (*KeyRing, error) {
	if current == nil {
		return nil, errors.New("key ring: a current key is required")
	}
	return &KeyRing{current: current, published: []*SigningKey{current}}, nil
}

func (r *KeyRing) Current(context.Context) (*SigningKey, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.current, nil
}

func (r *KeyRing) Published(context.Context) ([]*SigningKey, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Clone(r.published), nil
}

// Publish adds k to the JWKS without signing with it yet.
func (r *KeyRing) Publish(k *SigningKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.publishLocked(k)
}

func (r *KeyRing) publishLocked(k *SigningKey) {
	if !slices.ContainsFunc(r.published, func(p *SigningKey) bool { return p.id == k.id }) {
		r.published = append(r.published, k)
	}
}

// Rotate makes k the signing key; the previous key stays published.
func (r *KeyRing) Rotate(k *SigningKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.publishLocked(k)
	r.current = k
	// Keep the current key first: JWKS readers that take the first key
	// then pick the one in use.
	slices.SortStableFunc(r.published, func(a, b *SigningKey) int {
		switch {
		case a.id == k.id:
			return -1
		case b.id == k.id:
			return 1
		}
		return 0
	})
}

// Retire withdraws a published key. The current key cannot be retired.
func (r *KeyRing) Retire(id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current.id == id {
		return errors.New("key ring: cannot retire the current key")
	}
	before := len(r.published)
	r.published = slices.DeleteFunc(r.published, func(p *SigningKey) bool { return p.id == id })
	if len(r.published) == before {
		return fmt.Errorf("key ring: no published key %q", id)
	}
	return nil
}

// opSigningKey and opPublicKey adapt a SigningKey to the op package.
type opSigningKey struct{ k *SigningKey }
type opPublicKey struct{ k *SigningKey }

var (
	_ op.SigningKey = opSigningKey{}
	_ op.Key        = opPublicKey{}
)

func (s opSigningKey) SignatureAlgorithm() jose.SignatureAlgorithm { return s.k.alg }
func (s opSigningKey) Key() any                                    { return s.k.signer }
func (s opSigningKey) ID() string                                  { return s.k.id }

func (p opPublicKey) ID() string                         { return p.k.id }
func (p opPublicKey) Algorithm() jose.SignatureAlgorithm { return p.k.alg }
func (p opPublicKey) Use() string                        { return "sig" }
func (p opPublicKey) Key() any                           { return p.k.signer.Public() }
