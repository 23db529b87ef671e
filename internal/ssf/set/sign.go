package set

import (
	"crypto"
	"errors"
	"fmt"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/cryptosigner"
)

// TokenType is the JWT typ header of a SET (RFC 8417 section 2.3).
const TokenType = "secevent+jwt"

// DefaultAlgorithms are the signature algorithms Parse accepts when the
// Validation names none. They are asymmetric only: a SET signed with a
// shared secret could have been made by any holder of the secret.
var DefaultAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.ES384, jose.EdDSA}

// asymmetric lists every algorithm a Validation may allow.
var asymmetric = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// Signer signs SETs with one key. It is safe for concurrent use.
type Signer struct {
	signer jose.Signer
	kid    string
	alg    jose.SignatureAlgorithm
}

// kidSigner gives an opaque signer a key ID, which go-jose then writes as
// the kid header.
type kidSigner struct {
	jose.OpaqueSigner
	pub *jose.JSONWebKey
}

func (k kidSigner) Public() *jose.JSONWebKey { return k.pub }

// NewSigner returns a Signer for key (an RSA, ECDSA or Ed25519 private key,
// or any crypto.Signer over one, such as a KMS handle) under kid, using alg.
func NewSigner(key crypto.Signer, kid string, alg jose.SignatureAlgorithm) (*Signer, error) {
	if key == nil {
		return nil, errors.New("set: signer needs a key")
	}
	if kid == "" {
		return nil, errors.New("set: signer needs a key ID")
	}
	if !slices.Contains(asymmetric, alg) {
		return nil, fmt.Errorf("set: signature algorithm %q not allowed", alg)
	}
	op := cryptosigner.Opaque(key)
	if !slices.Contains(op.Algs(), alg) {
		return nil, fmt.Errorf("set: key cannot sign with %s", alg)
	}
	pub := &jose.JSONWebKey{Key: key.Public(), KeyID: kid, Algorithm: string(alg), Use: "sig"}
	opts := (&jose.SignerOptions{}).WithType(TokenType)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: kidSigner{OpaqueSigner: op, pub: pub}}, opts)
	if err != nil {
		return nil, fmt.Errorf("set: signer: %w", err)
	}
	return &Signer{signer: s, kid: kid, alg: alg}, nil
}

// KeyID returns the kid the Signer writes.
func (s *Signer) KeyID() string { return s.kid }

// Algorithm returns the algorithm the Signer uses.
func (s *Signer) Algorithm() jose.SignatureAlgorithm { return s.alg }

// Sign returns t as a compact JWS. It refuses a SET that fails Validate.
func (s *Signer) Sign(t *SET) (string, error) {
	if t == nil {
		return "", errors.New("set: nil SET")
	}
	if err := t.Validate(); err != nil {
		return "", err
	}
	body, err := t.marshalClaims()
	if err != nil {
		return "", fmt.Errorf("set: encode claims: %w", err)
	}
	if len(body) > MaxSize/2 {
		return "", fmt.Errorf("set: claims too large (%d bytes)", len(body))
	}
	jws, err := s.signer.Sign(body)
	if err != nil {
		return "", fmt.Errorf("set: sign: %w", err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("set: serialize: %w", err)
	}
	return out, nil
}
