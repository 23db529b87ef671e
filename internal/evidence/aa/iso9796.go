package aa

import (
	"crypto"
	"crypto/rsa"
	"crypto/subtle"
	"math/big"
)

// ISO/IEC 9796-2 scheme 1 framing, as Doc 9303 part 11 section 6.1 uses it.
const (
	// headerFull is the first byte of a recovered message representative F
	// when M1 fills the capacity: bits 01 (header), 1 (partial recovery: M2
	// follows outside the signature), 0 and the padding-end nibble 1010.
	// AA chips always fill the capacity, so no 0xBB padding ever appears.
	headerFull = 0x6A
	// trailerImplicit ends F when the hash is SHA-1 and named by nothing.
	trailerImplicit = 0xBC
	// trailerExplicit ends F when the byte before it names the hash.
	trailerExplicit = 0xCC
)

// trailerHashes maps the hash identifier of a two-byte trailer (ISO/IEC
// 10118-3 numbering) to the hashes this package verifies. RIPEMD and
// Whirlpool identifiers exist but no eMRTD uses them.
var trailerHashes = map[byte]crypto.Hash{
	0x33: crypto.SHA1,
	0x34: crypto.SHA256,
	0x35: crypto.SHA512,
	0x36: crypto.SHA384,
	0x38: crypto.SHA224,
}

// verifyRSA checks an ISO/IEC 9796-2 digital signature scheme 1 signature
// with partial message recovery, where the challenge is the non-recoverable
// part M2. Every failure is ReasonSignatureInvalid: the recovered bytes are
// chosen by whoever answered, so they never make a check "unsupported".
func verifyRSA(k *rsa.PublicKey, challenge, response []byte) (crypto.Hash, error) {
	size := (k.N.BitLen() + 7) / 8
	if len(response) != size {
		return 0, fail(ReasonSignatureInvalid, "RSA response of %d bytes, want %d", len(response), size)
	}
	s := new(big.Int).SetBytes(response)
	if s.Sign() == 0 || s.Cmp(k.N) >= 0 {
		return 0, fail(ReasonSignatureInvalid, "RSA response out of range")
	}
	j := s.Exp(s, big.NewInt(int64(k.E)), k.N)
	// A signer may return n - s instead of s (the "alternative" signature of
	// ISO/IEC 9796-2, which keeps signatures below n/2). With e odd that
	// turns J into n - J. F always ends in the nibble C (both trailers do),
	// so F ≡ 12 mod 16; of J and n - J exactly one is even (n is odd), and
	// that decides which one is F. Choosing by size (n/2) instead would
	// wrongly flip every honest F above n/2.
	if j.Bit(0) != 0 {
		j.Sub(k.N, j)
	}
	return checkRepresentative(j.FillBytes(make([]byte, size)), challenge)
}

// checkRepresentative parses F = header || M1 || H || trailer, checks that
// H = hash(M1 || M2) with M2 the challenge, and returns the trailer's hash.
func checkRepresentative(f, challenge []byte) (crypto.Hash, error) {
	if f[0] != headerFull {
		return 0, fail(ReasonSignatureInvalid, "recovered header %#02x, want %#02x", f[0], headerFull)
	}
	hash, t := crypto.SHA1, 1
	switch last := f[len(f)-1]; last {
	case trailerImplicit:
	case trailerExplicit:
		h, ok := trailerHashes[f[len(f)-2]]
		if !ok {
			return 0, fail(ReasonSignatureInvalid, "recovered trailer %#02x%02x", f[len(f)-2], last)
		}
		hash, t = h, 2
	default:
		return 0, fail(ReasonSignatureInvalid, "recovered trailer ends %#02x", last)
	}
	hEnd := len(f) - t
	hStart := hEnd - hash.Size()
	// M1 must hold at least one byte, or "partial recovery" is a lie.
	if hStart <= 1 {
		return 0, fail(ReasonSignatureInvalid, "no room for M1 with %v in a %d-byte block", hash, len(f))
	}
	h := hash.New()
	h.Write(f[1:hStart])
	h.Write(challenge)
	if subtle.ConstantTimeCompare(h.Sum(nil), f[hStart:hEnd]) != 1 {
		return 0, fail(ReasonSignatureInvalid, "recovered %v hash does not match M1 and the challenge", hash)
	}
	return hash, nil
}
