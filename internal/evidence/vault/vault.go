// Package vault seals evidence (document photos, selfies) for storage:
// AES-256-GCM under a key derived from the configured master secret, with
// the evidence id and kind bound as associated data so a sealed blob
// cannot be swapped onto another record. It does no I/O and never logs
// contents.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/vigil-gw/vigil/internal/keys"
)

// Purpose is the key-derivation label; changing it orphans every sealed blob.
const Purpose = "vigil evidence v1"

const version = 1

// ErrOpen is returned for any blob that does not authenticate.
var ErrOpen = errors.New("vault: evidence does not authenticate (wrong key, or tampered)")

// Vault seals and opens evidence. It is safe for concurrent use.
type Vault struct {
	aead cipher.AEAD
	rand io.Reader
}

// New derives the evidence key from master. rand defaults to crypto/rand.
func New(master []byte, random io.Reader) (*Vault, error) {
	k, err := keys.Derive(master, Purpose)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if random == nil {
		random = rand.Reader
	}
	return &Vault{aead: aead, rand: random}, nil
}

// Seal encrypts plaintext for the evidence record (id, kind).
func (v *Vault) Seal(id, kind string, plaintext []byte) ([]byte, error) {
	out := make([]byte, 1+v.aead.NonceSize(), 1+v.aead.NonceSize()+len(plaintext)+v.aead.Overhead())
	out[0] = version
	if _, err := io.ReadFull(v.rand, out[1:]); err != nil {
		return nil, fmt.Errorf("vault: no randomness: %w", err)
	}
	return v.aead.Seal(out, out[1:], plaintext, ad(id, kind)), nil
}

// Open decrypts a blob sealed for (id, kind).
func (v *Vault) Open(id, kind string, sealed []byte) ([]byte, error) {
	n := v.aead.NonceSize()
	if len(sealed) < 1+n+v.aead.Overhead() || sealed[0] != version {
		return nil, ErrOpen
	}
	pt, err := v.aead.Open(nil, sealed[1:1+n], sealed[1+n:], ad(id, kind))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// ad binds the record's identity; lengths prefix each part so that
// ("ab","c") and ("a","bc") differ.
func ad(id, kind string) []byte {
	b := make([]byte, 0, 8+len(id)+len(kind))
	b = append(b, byte(len(id)>>8), byte(len(id)))
	b = append(b, id...)
	b = append(b, byte(len(kind)>>8), byte(len(kind)))
	return append(b, kind...)
}
