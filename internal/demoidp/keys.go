package demoidp

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// signingKey is the one key the provider signs with; it serves as both the
// op.SigningKey and the op.Key published in the JWKS.
type signingKey struct {
	id      string
	alg     jose.SignatureAlgorithm
	private crypto.Signer
}

var (
	_ op.SigningKey = (*signingKey)(nil)
	_ op.Key        = (*publicKey)(nil)
)

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k *signingKey) Key() any                                    { return k.private }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is the JWKS view of a signingKey.
type publicKey struct{ k *signingKey }

func (p *publicKey) ID() string                         { return p.k.id }
func (p *publicKey) Algorithm() jose.SignatureAlgorithm { return p.k.alg }
func (p *publicKey) Use() string                        { return "sig" }
func (p *publicKey) Key() any                           { return p.k.private.Public() }

// newSigningKey wraps the configured key, or makes an RSA 2048 key. The key
// ID is the RFC 7638 thumbprint, so it changes exactly when the key does.
func newSigningKey(s crypto.Signer, random io.Reader) (*signingKey, error) {
	if s == nil {
		k, err := rsa.GenerateKey(random, 2048)
		if err != nil {
			return nil, fmt.Errorf("generate signing key: %w", err)
		}
		s = k
	}
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
	return &signingKey{id: base64.RawURLEncoding.EncodeToString(thumb), alg: alg, private: s}, nil
}
