package aa

import (
	"crypto"
	"crypto/rsa"

	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

// ChallengeLen is the length of the challenge Doc 9303 has the terminal send
// in INTERNAL AUTHENTICATE.
const ChallengeLen = 8

// maxResponseLen bounds the response before any arithmetic: an RSA-4096
// signature is 512 bytes and a P-521 plain signature 132.
const maxResponseLen = MaxRSABits / 8

// Result says what a successful check used, for audit records and for
// policies that want more than SHA-1 or a given key size.
type Result struct {
	KeyType string      // PublicKey.Type of the DG15 key, e.g. "RSA-1024"
	Hash    crypto.Hash // recovered from the RSA trailer, or named by DG14 for EC
}

// Verify checks the chip's response to challenge under the DG15 key. dg14 is
// needed for EC keys only (it names the hash) and may be nil; for RSA keys
// it is not read, since the hash is named inside the signature. A nil error
// means the chip proved possession of the DG15 private key; it is only
// meaningful once passive authentication has verified DG15 (and DG14) in
// the SOD, and only if challenge was freshly random and never used before.
func Verify(dg15, dg14, challenge, response []byte) error {
	_, err := Check(dg15, dg14, challenge, response)
	return err
}

// Check is Verify that also reports the key type and hash it verified with.
// The Result is zero whenever the error is not nil.
func Check(dg15, dg14, challenge, response []byte) (Result, error) {
	if len(challenge) != ChallengeLen {
		return Result{}, fail(ReasonChallengeInvalid, "challenge of %d bytes, want %d", len(challenge), ChallengeLen)
	}
	key, err := ParseDG15(dg15)
	if err != nil {
		return Result{}, err
	}
	if len(response) > maxResponseLen {
		return Result{}, fail(ReasonSignatureInvalid, "response of %d bytes", len(response))
	}
	var hash crypto.Hash
	switch k := key.Key.(type) {
	case *rsa.PublicKey:
		hash, err = verifyRSA(k, challenge, response)
	case *pki.ECPublicKey:
		if dg14 == nil {
			return Result{}, fail(ReasonUnsupported, "%s key and no DG14 to name the hash", key.Type)
		}
		var ok bool
		hash, ok, err = AlgorithmFromDG14(dg14)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			return Result{}, fail(ReasonUnsupported, "%s key and no ActiveAuthenticationInfo in DG14", key.Type)
		}
		err = verifyEC(k, hash, challenge, response)
	default:
		return Result{}, fail(ReasonUnsupported, "key type %s", key.Type)
	}
	if err != nil {
		return Result{}, err
	}
	return Result{KeyType: key.Type, Hash: hash}, nil
}
