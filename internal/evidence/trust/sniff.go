package trust

import (
	"bytes"
	"encoding/asn1"
	"encoding/pem"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Kind is what a trust file holds.
type Kind string

const (
	KindCSCA       Kind = "csca"       // X.509 certificate(s), trusted by the operator
	KindMasterList Kind = "masterlist" // CMS CscaMasterList
	KindCRL        Kind = "crl"        // X.509 CRL(s)
)

// sniff splits a file into DER objects of one kind, by content, not name:
// PEM blocks (CERTIFICATE, X509 CRL, CMS or PKCS7) or a single DER object.
// Files mixing kinds are refused so that a file is accepted or refused as
// a whole.
func sniff(b []byte) (Kind, [][]byte, error) {
	trimmed := bytes.TrimSpace(b)
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN ")) {
		return sniffPEM(trimmed)
	}
	k, err := derKind(b)
	if err != nil {
		return "", nil, err
	}
	return k, [][]byte{b}, nil
}

var pemKinds = map[string]Kind{
	"CERTIFICATE": KindCSCA, "X509 CRL": KindCRL, "CMS": KindMasterList, "PKCS7": KindMasterList,
}

func sniffPEM(b []byte) (Kind, [][]byte, error) {
	var kind Kind
	var ders [][]byte
	for rest := b; len(bytes.TrimSpace(rest)) > 0; {
		block, r := pem.Decode(rest)
		if block == nil {
			return "", nil, fmt.Errorf("text after PEM block %d is not PEM", len(ders))
		}
		rest = r
		k, ok := pemKinds[block.Type]
		if !ok {
			return "", nil, fmt.Errorf("PEM block %q is not a certificate, CRL or master list", block.Type)
		}
		if kind != "" && k != kind {
			return "", nil, fmt.Errorf("file mixes %s and %s blocks; give each kind its own file", kind, k)
		}
		if dk, err := derKind(block.Bytes); err != nil || dk != k {
			return "", nil, fmt.Errorf("PEM block %d (%s) does not hold a %s", len(ders), block.Type, k)
		}
		kind = k
		ders = append(ders, block.Bytes)
	}
	if kind != KindCSCA && kind != KindCRL && len(ders) > 1 {
		return "", nil, fmt.Errorf("one master list per file")
	}
	return kind, ders, nil
}

// derKind tells a certificate, a CRL and a CMS SignedData apart by their
// first fields. A certificate and a CRL share the outer shape; inside the
// signed part both have an optional version, an algorithm and a Name, then a
// certificate has its Validity SEQUENCE where a CRL has a time.
func derKind(b []byte) (Kind, error) {
	in := cryptobyte.String(b)
	var outer, tbs, skip cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&outer, cbasn1.SEQUENCE) || !in.Empty() {
		return "", fmt.Errorf("not PEM and not a single DER object")
	}
	if outer.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) {
		if outer.ReadASN1ObjectIdentifier(&oid) && oid.Equal(oidSignedData) {
			return KindMasterList, nil
		}
		return "", fmt.Errorf("CMS content type %s is not SignedData", oid)
	}
	var present bool
	if !outer.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.ReadOptionalASN1(&skip, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		(tbs.PeekASN1Tag(cbasn1.INTEGER) && !tbs.SkipASN1(cbasn1.INTEGER)) ||
		!tbs.SkipASN1(cbasn1.SEQUENCE) || !tbs.SkipASN1(cbasn1.SEQUENCE) {
		return "", fmt.Errorf("DER object is not a certificate, CRL or master list")
	}
	switch {
	case tbs.PeekASN1Tag(cbasn1.SEQUENCE):
		return KindCSCA, nil
	case tbs.PeekASN1Tag(cbasn1.UTCTime), tbs.PeekASN1Tag(cbasn1.GeneralizedTime):
		return KindCRL, nil
	}
	return "", fmt.Errorf("DER object is not a certificate, CRL or master list")
}
