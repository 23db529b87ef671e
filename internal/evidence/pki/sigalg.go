package pki

import (
	"crypto"
	"crypto/rsa"
	_ "crypto/sha1" // hashes named by signature algorithms below
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// AlgorithmIdentifier is a signature algorithm OID with its raw DER
// parameters (empty when absent).
type AlgorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters []byte
}

type sigKind int

const (
	kindRSAPKCS1 sigKind = iota + 1
	kindRSAPSS
	kindECDSA
	kindECDSAPlain // BSI TR-03111: r || s as fixed-length octets, no DER
)

var sigAlgs = []struct {
	oid  asn1.ObjectIdentifier
	kind sigKind
	hash crypto.Hash
}{
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, kindRSAPKCS1, crypto.SHA1},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}, kindRSAPKCS1, crypto.SHA224},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, kindRSAPKCS1, crypto.SHA256},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}, kindRSAPKCS1, crypto.SHA384},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}, kindRSAPKCS1, crypto.SHA512},
	{oidRSASSAPSS, kindRSAPSS, 0},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, kindECDSA, crypto.SHA1},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}, kindECDSA, crypto.SHA224},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, kindECDSA, crypto.SHA256},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, kindECDSA, crypto.SHA384},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, kindECDSA, crypto.SHA512},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 1}, kindECDSAPlain, crypto.SHA1},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 2}, kindECDSAPlain, crypto.SHA224},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3}, kindECDSAPlain, crypto.SHA256},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 4}, kindECDSAPlain, crypto.SHA384},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 5}, kindECDSAPlain, crypto.SHA512},
}

var hashOIDs = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, crypto.SHA1},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}, crypto.SHA224},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, crypto.SHA256},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}, crypto.SHA384},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}, crypto.SHA512},
}

var oidMGF1 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}

// VerifySignature checks sig over signed with pub (an *rsa.PublicKey or
// *ECPublicKey) under the algorithm alg. A nil error means it verified.
func VerifySignature(pub crypto.PublicKey, alg AlgorithmIdentifier, signed, sig []byte) error {
	var kind sigKind
	var hash crypto.Hash
	for _, a := range sigAlgs {
		if a.oid.Equal(alg.Algorithm) {
			kind, hash = a.kind, a.hash
		}
	}
	var pssSalt int
	switch kind {
	case 0:
		return fmt.Errorf("pki: unsupported signature algorithm %s", alg.Algorithm)
	case kindRSAPSS:
		var err error
		if hash, pssSalt, err = parsePSSParams(alg.Parameters); err != nil {
			return err
		}
	}
	h := hash.New()
	h.Write(signed)
	digest := h.Sum(nil)
	switch kind {
	case kindRSAPKCS1, kindRSAPSS:
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return errors.New("pki: RSA signature but the key is not RSA")
		}
		var err error
		if kind == kindRSAPKCS1 {
			err = rsa.VerifyPKCS1v15(k, hash, digest, sig)
		} else {
			err = rsa.VerifyPSS(k, hash, digest, sig, &rsa.PSSOptions{SaltLength: pssSalt, Hash: hash})
		}
		if err != nil {
			return fmt.Errorf("pki: RSA signature: %w", err)
		}
		return nil
	default:
		k, ok := pub.(*ECPublicKey)
		if !ok {
			return errors.New("pki: ECDSA signature but the key is not EC")
		}
		ok = false
		if kind == kindECDSA {
			ok = k.VerifyASN1(digest, sig)
		} else if size := (k.Curve.N.BitLen() + 7) / 8; len(sig) == 2*size {
			ok = k.Verify(digest, new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:]))
		}
		if !ok {
			return errors.New("pki: ECDSA signature does not verify")
		}
		return nil
	}
}

// parsePSSParams reads RSASSA-PSS-params (RFC 4055). Defaults are SHA-1,
// MGF1 with SHA-1 and a 20-byte salt. The MGF1 hash must equal the message
// hash (the only form crypto/rsa implements), and the trailer must be 1.
func parsePSSParams(der []byte) (crypto.Hash, int, error) {
	bad := func() (crypto.Hash, int, error) { return 0, 0, errors.New("pki: malformed RSASSA-PSS parameters") }
	hash, mgfHash, salt, trailer := crypto.SHA1, crypto.SHA1, int64(20), int64(1)
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return bad()
	}
	var field cryptobyte.String
	var present bool
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return bad()
	}
	if present {
		h, ok := ReadHashAlgorithm(&field)
		if !ok || !field.Empty() {
			return bad()
		}
		hash = h
	}
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return bad()
	}
	if present {
		var mgf, mgfAlg cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !field.ReadASN1(&mgf, cbasn1.SEQUENCE) || !field.Empty() || !mgf.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidMGF1) {
			return 0, 0, errors.New("pki: RSASSA-PSS mask generation is not MGF1")
		}
		mgfAlg = mgf
		h, ok := ReadHashAlgorithm(&mgfAlg)
		if !ok || !mgfAlg.Empty() {
			return bad()
		}
		mgfHash = h
	}
	if !seq.ReadOptionalASN1Integer(&salt, cbasn1.Tag(2).Constructed().ContextSpecific(), int64(20)) ||
		!seq.ReadOptionalASN1Integer(&trailer, cbasn1.Tag(3).Constructed().ContextSpecific(), int64(1)) || !seq.Empty() {
		return bad()
	}
	if mgfHash != hash {
		return 0, 0, errors.New("pki: RSASSA-PSS with an MGF1 hash unlike the message hash")
	}
	if salt < 0 || salt > 1024 || trailer != 1 {
		return 0, 0, errors.New("pki: unsupported RSASSA-PSS salt length or trailer")
	}
	return hash, int(salt), nil
}

// ReadHashAlgorithm reads a digest AlgorithmIdentifier whose parameters are
// absent or NULL (RFC 5754 allows both): SHA-1, SHA-224, SHA-256, SHA-384 or
// SHA-512. CMS structures (EF.SOD, master lists) name their digests so.
func ReadHashAlgorithm(s *cryptobyte.String) (crypto.Hash, bool) {
	var alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return 0, false
	}
	if alg.PeekASN1Tag(cbasn1.NULL) {
		var null cryptobyte.String
		alg.ReadASN1(&null, cbasn1.NULL)
		if !null.Empty() {
			return 0, false
		}
	}
	if !alg.Empty() {
		return 0, false
	}
	for _, h := range hashOIDs {
		if h.oid.Equal(oid) {
			return h.hash, true
		}
	}
	return 0, false
}
