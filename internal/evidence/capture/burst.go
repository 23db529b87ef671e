package capture

import (
	"crypto/sha256"
	"encoding/binary"
)

// challengeTag separates burst challenges from every other use of the
// platform key: an assertion made for a login elsewhere can never be
// mistaken for one over a burst.
const challengeTag = "vigil-capture-v1"

// Limits on what VerifyBurst accepts, checked before any hashing or
// parsing so that oversized input is refused cheaply.
const (
	// MaxFrames bounds a burst; liveness uses about 20 frames.
	MaxFrames = 256
	// MinNonce is the shortest server nonce accepted: 128 bits, so that a
	// nonce cannot be guessed and a signed burst cannot be reused.
	MinNonce = 16
	// MaxNonce bounds the nonce.
	MaxNonce = 256
	// maxAssertion bounds the assertion JSON; real ones are under 2 KiB.
	maxAssertion = 64 << 10
)

// BurstHash is the SHA-256 over the frames in order, each written as its
// length (8 bytes, big-endian) followed by its bytes. The length prefix
// makes the encoding injective: moving bytes from one frame to the next,
// splitting a frame or dropping an empty one changes the hash. capture.js
// computes the same value in the browser.
func BurstHash(frames [][]byte) []byte {
	h := sha256.New()
	var n [8]byte
	for _, f := range frames {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write(f)
	}
	return h.Sum(nil)
}

// BurstChallenge is the WebAuthn challenge that commits to one burst:
// SHA-256("vigil-capture-v1" || nonce || burstHash). The tag and the hash
// have fixed lengths, so the nonce between them is unambiguous.
func BurstChallenge(nonce, burstHash []byte) []byte {
	h := sha256.New()
	h.Write([]byte(challengeTag))
	h.Write(nonce)
	h.Write(burstHash)
	return h.Sum(nil)
}
