package pki

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Certificate is the part of an X.509 certificate passive authentication
// needs. PublicKey is an *rsa.PublicKey or an *ECPublicKey.
type Certificate struct {
	Raw, RawTBSCertificate, RawSubjectPublicKeyInfo []byte
	RawSubject, RawIssuer                           []byte
	Subject, Issuer                                 pkix.Name
	SerialNumber                                    *big.Int
	NotBefore, NotAfter                             time.Time
	SignatureAlgorithm                              AlgorithmIdentifier
	Signature                                       []byte
	PublicKey                                       crypto.PublicKey

	BasicConstraintsValid, IsCA  bool
	MaxPathLen                   int // -1 when absent
	KeyUsage                     x509.KeyUsage
	KeyUsagePresent              bool // the extension is there, even with no bit set
	SubjectKeyID, AuthorityKeyID []byte
	UnhandledCriticalExtensions  []asn1.ObjectIdentifier

	// X509 is the standard library's parse when it accepted the certificate;
	// nil for keys it refuses (explicit EC parameters, brainpool, PSS keys).
	X509 *x509.Certificate
}

// ParseCertificate parses one DER certificate. crypto/x509 is tried first;
// when it refuses, the package's own strict-DER TBS parser takes over. Real
// master lists need that for keys x509 cannot read (explicit EC parameters,
// brainpool, id-RSASSA-PSS keys) and for legacy encodings it rejects on
// principle (negative serial numbers, rsaEncryption without NULL parameters,
// a BER boolean in basicConstraints).
// Either way the signature is later checked over the exact signed bytes.
func ParseCertificate(der []byte) (*Certificate, error) {
	c, err := parseOuter(der)
	if err != nil {
		return nil, err
	}
	if xc, xerr := x509.ParseCertificate(der); xerr == nil {
		c.X509 = xc
		c.RawTBSCertificate, c.RawSubjectPublicKeyInfo = xc.RawTBSCertificate, xc.RawSubjectPublicKeyInfo
		c.RawSubject, c.RawIssuer = xc.RawSubject, xc.RawIssuer
		c.Subject, c.Issuer, c.SerialNumber = xc.Subject, xc.Issuer, xc.SerialNumber
		c.NotBefore, c.NotAfter = xc.NotBefore, xc.NotAfter
		c.BasicConstraintsValid, c.IsCA, c.KeyUsage = xc.BasicConstraintsValid, xc.IsCA, xc.KeyUsage
		c.MaxPathLen = xc.MaxPathLen
		if xc.MaxPathLen == 0 && !xc.MaxPathLenZero {
			c.MaxPathLen = -1
		}
		c.SubjectKeyID, c.AuthorityKeyID = xc.SubjectKeyId, xc.AuthorityKeyId
		for _, e := range xc.Extensions {
			c.KeyUsagePresent = c.KeyUsagePresent || e.Id.Equal(oidExtKeyUsage)
		}
		c.UnhandledCriticalExtensions = xc.UnhandledCriticalExtensions
		// One key type for every certificate, whichever parser read it.
		if c.PublicKey, err = ParsePublicKey(xc.RawSubjectPublicKeyInfo); err != nil {
			return nil, err
		}
		return c, nil
	} else if err := parseTBS(c); err != nil {
		return nil, fmt.Errorf("%w (crypto/x509: %v)", err, xerr)
	}
	return c, nil
}

// parseOuter reads Certificate ::= SEQUENCE { tbs, signatureAlgorithm,
// signature BIT STRING } and keeps the algorithm's raw parameters.
func parseOuter(der []byte) (*Certificate, error) {
	c := &Certificate{Raw: der}
	in := cryptobyte.String(der)
	var cert, tbs, alg cryptobyte.String
	var sig asn1.BitString
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !in.Empty() ||
		!cert.ReadASN1Element(&tbs, cbasn1.SEQUENCE) ||
		!cert.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!cert.ReadASN1BitString(&sig) || !cert.Empty() {
		return nil, errors.New("pki: malformed certificate")
	}
	var present bool
	var params cryptobyte.String
	if !alg.ReadASN1ObjectIdentifier(&c.SignatureAlgorithm.Algorithm) ||
		!readOptionalAny(&alg, &params, &present) || !alg.Empty() {
		return nil, errors.New("pki: malformed signature algorithm")
	}
	if sig.BitLength%8 != 0 {
		return nil, errors.New("pki: signature is not whole bytes")
	}
	c.SignatureAlgorithm.Parameters = params
	c.Signature = sig.Bytes
	c.RawTBSCertificate = tbs
	return c, nil
}

// CheckSignature verifies child's signature with parent's public key. It
// says nothing about names, validity or key usage.
func CheckSignature(child, parent *Certificate) error {
	if child == nil || parent == nil || parent.PublicKey == nil {
		return errors.New("pki: missing certificate or key")
	}
	return VerifySignature(parent.PublicKey, child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
}
