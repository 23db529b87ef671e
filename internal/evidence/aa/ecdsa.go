package aa

import (
	"crypto"
	"math/big"

	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

// verifyEC checks a plain ECDSA signature (BSI TR-03111 section 5.2.1: r and
// s as unsigned big-endian integers, each as long as the group order) over
// the hash of the challenge.
func verifyEC(k *pki.ECPublicKey, hash crypto.Hash, challenge, response []byte) error {
	size := (k.Curve.N.BitLen() + 7) / 8
	if len(response) != 2*size {
		return fail(ReasonSignatureInvalid, "ECDSA response of %d bytes, want %d", len(response), 2*size)
	}
	h := hash.New()
	h.Write(challenge)
	r := new(big.Int).SetBytes(response[:size])
	s := new(big.Int).SetBytes(response[size:])
	// pki refuses r or s outside [1, n-1] before any arithmetic.
	if !k.Verify(h.Sum(nil), r, s) {
		return fail(ReasonSignatureInvalid, "ECDSA %v signature does not verify", hash)
	}
	return nil
}
