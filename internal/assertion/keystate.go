package assertion

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/store"
)

// signingKey is an unwrapped key with its lifetimes.
type signingKey struct {
	id      string
	priv    *ecdsa.PrivateKey
	signer  jose.Signer
	created time.Time
	retire  time.Time // signs no more after
	expires time.Time // published until
}

// keyState is an immutable snapshot: the key that signs now and every key
// published. Replaced whole, read without locks.
type keyState struct {
	current *signingKey   // nil when no key can sign
	keys    []*signingKey // published, newest first
	jwks    []byte        // rendered public key set
}

func generateKey(rand io.Reader) (*ecdsa.PrivateKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand)
	if err != nil {
		return nil, fmt.Errorf("generating signing key: %w", err)
	}
	return priv, nil
}

func newSigningKey(id string, priv *ecdsa.PrivateKey, created, retire, expires time.Time) (*signingKey, error) {
	opts := (&jose.SignerOptions{}).WithType(tokenType)
	jwk := jose.JSONWebKey{Key: priv, KeyID: id, Algorithm: algorithm, Use: "sig"}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jwk}, opts)
	if err != nil {
		return nil, fmt.Errorf("signing key %q: %w", id, err)
	}
	return &signingKey{id: id, priv: priv, signer: sig, created: created, retire: retire, expires: expires}, nil
}

// buildState opens every unexpired record and picks the signing key: the
// newest one published for at least publishAhead and not retired, or, when
// none is (a fresh install), the newest not retired. Records that fail to
// open are left out and their errors returned beside the state.
func buildState(w *keyWrapper, recs []store.SigningKey, now time.Time, publishAhead time.Duration) (*keyState, error) {
	var errs []error
	st := &keyState{}
	for i := range recs {
		rec := &recs[i]
		if !now.Before(rec.ExpiresAt) {
			continue
		}
		priv, err := w.open(rec)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		k, err := newSigningKey(rec.ID, priv, rec.CreatedAt, rec.RetireAt, rec.ExpiresAt)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		st.keys = append(st.keys, k)
	}
	slices.SortFunc(st.keys, func(a, b *signingKey) int {
		if c := b.created.Compare(a.created); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	st.keys = slices.CompactFunc(st.keys, func(a, b *signingKey) bool { return a.id == b.id })
	for _, k := range st.keys {
		if now.Before(k.retire) && !now.Before(k.created.Add(publishAhead)) {
			st.current = k
			break
		}
	}
	if st.current == nil {
		for _, k := range st.keys {
			if now.Before(k.retire) {
				st.current = k
				break
			}
		}
	}
	jwks, err := renderJWKS(st.keys)
	if err != nil {
		return nil, errors.Join(append(errs, err)...)
	}
	st.jwks = jwks
	return st, errors.Join(errs...)
}

// renderJWKS writes the public halves of keys as a JWK set.
func renderJWKS(keys []*signingKey) ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(keys))}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key: &k.priv.PublicKey, KeyID: k.id, Algorithm: algorithm, Use: "sig",
		})
	}
	b, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("rendering JWKS: %w", err)
	}
	return append(b, '\n'), nil
}
