package aa

import (
	"crypto/rsa"

	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

// ChallengeLen is the length of the challenge Doc 9303 has the terminal send
// in INTERNAL AUTHENTICATE.
const ChallengeLen = 8

// maxResponseLen bounds the response before any arithmetic: an RSA-4096
// signature is 512 bytes and a P-521 plain signature 132.
const maxResponseLen = MaxRSABits / 8

// Verify checks the chip's response to challenge under the DG15 key. dg14 is
// needed for EC keys only (it names the hash) and may be nil; for RSA keys
// it is not read, since the hash is named inside the signature. A nil error
// means the chip proved possession of the DG15 private key; it is only
// meaningful once passive authentication has verified DG15 (and DG14) in
// the SOD, and only if challenge was freshly random and never used before.
func Verify(dg15, dg14, challenge, response []byte) error {
	if len(challenge) != ChallengeLen {
		return fail(ReasonChallengeInvalid, "challenge of %d bytes, want %d", len(challenge), ChallengeLen)
	}
	key, err := ParseDG15(dg15)
	if err != nil {
		return err
	}
	if len(response) > maxResponseLen {
		return fail(ReasonSignatureInvalid, "response of %d bytes", len(response))
	}
	switch k := key.Key.(type) {
	case *rsa.PublicKey:
		return verifyRSA(k, challenge, response)
	case *pki.ECPublicKey:
		if dg14 == nil {
			return fail(ReasonUnsupported, "%s key and no DG14 to name the hash", key.Type)
		}
		hash, ok, err := AlgorithmFromDG14(dg14)
		if err != nil {
			return err
		}
		if !ok {
			return fail(ReasonUnsupported, "%s key and no ActiveAuthenticationInfo in DG14", key.Type)
		}
		return verifyEC(k, hash, challenge, response)
	}
	return fail(ReasonUnsupported, "key type %s", key.Type)
}
