package chiptest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"slices"
)

var (
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidLDSSecurity   = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 1}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}

	hashOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:   {1, 3, 14, 3, 2, 26},
		crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
		crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
		crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
	}
	ecdsaOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:   {1, 2, 840, 10045, 4, 1},
		crypto.SHA256: {1, 2, 840, 10045, 4, 3, 2},
		crypto.SHA384: {1, 2, 840, 10045, 4, 3, 3},
		crypto.SHA512: {1, 2, 840, 10045, 4, 3, 4},
	}
	rsaOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:   {1, 2, 840, 113549, 1, 1, 5},
		crypto.SHA256: {1, 2, 840, 113549, 1, 1, 11},
		crypto.SHA384: {1, 2, 840, 113549, 1, 1, 12},
		crypto.SHA512: {1, 2, 840, 113549, 1, 1, 13},
	}
)

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type dataGroupHash struct {
	Number int
	Hash   []byte
}

type ldsSecurityObject struct {
	Version     int
	Hash        algorithmIdentifier
	GroupHashes []dataGroupHash
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type signerInfo struct {
	Version            int
	SID                issuerAndSerial
	DigestAlgorithm    algorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"tag:0"`
	SignatureAlgorithm algorithmIdentifier
	Signature          []byte
}

type encapContent struct {
	Type    asn1.ObjectIdentifier
	Content asn1.RawValue // [0] EXPLICIT, built by explicit0
}

type signedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue `asn1:"set"`
	Content          encapContent
	Certificates     asn1.RawValue `asn1:"tag:0"`
	SignerInfos      asn1.RawValue `asn1:"set"`
}

type contentInfo struct {
	Type    asn1.ObjectIdentifier
	Content asn1.RawValue // [0] EXPLICIT, built by explicit0
}

// explicit0 wraps DER in a [0] EXPLICIT tag. encoding/asn1 ignores the
// explicit option on RawValue fields, so the wrapping is done by hand.
func explicit0(der []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der}
}

// sod builds EF.SOD: the data group hashes in an LDSSecurityObject, signed
// by ds in a CMS SignedData with contentType, signingTime and messageDigest
// signed attributes (Doc 9303 part 10 section 4.6.2).
func sod(h crypto.Hash, files map[int][]byte, ds *x509.Certificate, key crypto.Signer, signingTime any) ([]byte, error) {
	nums := make([]int, 0, len(files))
	for n := range files {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	lds := ldsSecurityObject{Hash: algorithmIdentifier{Algorithm: hashOIDs[h]}}
	for _, n := range nums {
		d := h.New()
		d.Write(files[n])
		lds.GroupHashes = append(lds.GroupHashes, dataGroupHash{Number: n, Hash: d.Sum(nil)})
	}
	eContent, err := asn1.Marshal(lds)
	if err != nil {
		return nil, err
	}
	d := h.New()
	d.Write(eContent)
	attrs, err := marshalAttrs(
		attr(oidContentType, oidLDSSecurity),
		attr(oidSigningTime, signingTime),
		attr(oidMessageDigest, d.Sum(nil)),
	)
	if err != nil {
		return nil, err
	}
	// The signature covers the attributes as a SET OF (RFC 5652 5.4); in
	// the SignerInfo the same bytes carry the [0] IMPLICIT tag.
	signed := append([]byte{0x31}, attrs[1:]...)
	sig, sigAlg, err := sign(key, h, signed)
	if err != nil {
		return nil, err
	}
	si, err := asn1.Marshal(signerInfo{
		Version:            1,
		SID:                issuerAndSerial{Issuer: asn1.RawValue{FullBytes: ds.RawIssuer}, Serial: ds.SerialNumber},
		DigestAlgorithm:    algorithmIdentifier{Algorithm: hashOIDs[h]},
		SignedAttrs:        asn1.RawValue{FullBytes: attrs},
		SignatureAlgorithm: sigAlg,
		Signature:          sig,
	})
	if err != nil {
		return nil, err
	}
	digestAlg, err := asn1.Marshal(algorithmIdentifier{Algorithm: hashOIDs[h]})
	if err != nil {
		return nil, err
	}
	octets, err := asn1.Marshal(eContent)
	if err != nil {
		return nil, err
	}
	sd, err := asn1.Marshal(signedData{
		Version:          3,
		DigestAlgorithms: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: digestAlg},
		Content:          encapContent{Type: oidLDSSecurity, Content: explicit0(octets)},
		Certificates:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: ds.Raw},
		SignerInfos:      asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: si},
	})
	if err != nil {
		return nil, err
	}
	ci, err := asn1.Marshal(contentInfo{Type: oidSignedData, Content: explicit0(sd)})
	if err != nil {
		return nil, err
	}
	return tlv(0x77, ci), nil
}

func attr(t asn1.ObjectIdentifier, v any) attribute {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("chiptest: attribute %v: %v", t, err)) // fixed types above: a programming error
	}
	return attribute{Type: t, Values: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: b}}
}

// marshalAttrs encodes the attributes as [0] IMPLICIT SET OF in DER order.
func marshalAttrs(as ...attribute) ([]byte, error) {
	enc := make([][]byte, len(as))
	for i, a := range as {
		b, err := asn1.Marshal(a)
		if err != nil {
			return nil, err
		}
		enc[i] = b
	}
	slices.SortFunc(enc, func(a, b []byte) int { return slices.Compare(a, b) })
	var body []byte
	for _, e := range enc {
		body = append(body, e...)
	}
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: body})
}

// sign signs msg with key under hash h and names the algorithm.
func sign(key crypto.Signer, h crypto.Hash, msg []byte) ([]byte, algorithmIdentifier, error) {
	d := h.New()
	d.Write(msg)
	sum := d.Sum(nil)
	switch key.Public().(type) {
	case *ecdsa.PublicKey:
		sig, err := key.Sign(rand.Reader, sum, h)
		return sig, algorithmIdentifier{Algorithm: ecdsaOIDs[h]}, err
	case *rsa.PublicKey:
		sig, err := key.Sign(rand.Reader, sum, h)
		return sig, algorithmIdentifier{Algorithm: rsaOIDs[h], Parameters: asn1.NullRawValue}, err
	}
	return nil, algorithmIdentifier{}, fmt.Errorf("chiptest: unsupported signer key %T", key.Public())
}
