package pki

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var (
	oidExtBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtSubjectKeyID     = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtAuthorityKeyID   = asn1.ObjectIdentifier{2, 5, 29, 35}
)

var errTBS = errors.New("pki: malformed tbsCertificate")

// parseTBS fills c from its RawTBSCertificate, for the certificates
// crypto/x509 refuses because of their key.
func parseTBS(c *Certificate) error {
	in := cryptobyte.String(c.RawTBSCertificate)
	var tbs, alg, issuer, validity, subject, spki cryptobyte.String
	if !in.ReadASN1(&tbs, cbasn1.SEQUENCE) || !in.Empty() {
		return errTBS
	}
	var version int64
	if !tbs.ReadOptionalASN1Integer(&version, cbasn1.Tag(0).Constructed().ContextSpecific(), int64(0)) || version < 0 || version > 2 {
		return errTBS
	}
	c.SerialNumber = new(big.Int)
	if !tbs.ReadASN1Integer(c.SerialNumber) || !tbs.ReadASN1(&alg, cbasn1.SEQUENCE) {
		return errTBS
	}
	var algID AlgorithmIdentifier
	var params cryptobyte.String
	var present bool
	if !alg.ReadASN1ObjectIdentifier(&algID.Algorithm) || !readOptionalAny(&alg, &params, &present) || !alg.Empty() {
		return errTBS
	}
	// The outer algorithm is not signed; it must repeat the signed one.
	if !algID.Algorithm.Equal(c.SignatureAlgorithm.Algorithm) || !bytes.Equal(params, c.SignatureAlgorithm.Parameters) {
		return errors.New("pki: signature algorithm differs inside and outside the signed part")
	}
	if !tbs.ReadASN1Element(&issuer, cbasn1.SEQUENCE) || !tbs.ReadASN1(&validity, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&subject, cbasn1.SEQUENCE) || !tbs.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return errTBS
	}
	var err error
	if c.NotBefore, err = readTime(&validity); err != nil {
		return err
	}
	if c.NotAfter, err = readTime(&validity); err != nil || !validity.Empty() {
		return errTBS
	}
	c.RawIssuer, c.RawSubject, c.RawSubjectPublicKeyInfo = issuer, subject, spki
	if err := parseName(issuer, &c.Issuer); err != nil {
		return err
	}
	if err := parseName(subject, &c.Subject); err != nil {
		return err
	}
	if c.PublicKey, err = ParsePublicKey(spki); err != nil {
		return err
	}
	var skip, exts cryptobyte.String
	if !tbs.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific()) || !tbs.SkipOptionalASN1(cbasn1.Tag(2).ContextSpecific()) {
		return errTBS
	}
	if !tbs.ReadOptionalASN1(&skip, &present, cbasn1.Tag(3).Constructed().ContextSpecific()) || !tbs.Empty() {
		return errTBS
	}
	c.MaxPathLen = -1
	if present {
		if version != 2 || !skip.ReadASN1(&exts, cbasn1.SEQUENCE) || !skip.Empty() {
			return errTBS
		}
		return parseExtensions(c, exts)
	}
	return nil
}

func readTime(s *cryptobyte.String) (time.Time, error) {
	var t time.Time
	switch {
	case s.PeekASN1Tag(cbasn1.UTCTime):
		if !s.ReadASN1UTCTime(&t) {
			return t, errors.New("pki: malformed UTCTime")
		}
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		if !s.ReadASN1GeneralizedTime(&t) {
			return t, errors.New("pki: malformed GeneralizedTime")
		}
	default:
		return t, errors.New("pki: validity time missing")
	}
	return t, nil
}

func parseName(der []byte, out *pkix.Name) error {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &rdns); err != nil || len(rest) != 0 {
		return errors.New("pki: malformed name")
	}
	out.FillFromRDNSequence(&rdns)
	return nil
}

func parseExtensions(c *Certificate, exts cryptobyte.String) error {
	seen := map[string]bool{}
	for !exts.Empty() {
		var ext, value cryptobyte.String
		var oid asn1.ObjectIdentifier
		critical := false
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&oid) ||
			!readOptionalBool(&ext, &critical) ||
			!ext.ReadASN1(&value, cbasn1.OCTET_STRING) || !ext.Empty() {
			return errors.New("pki: malformed extension")
		}
		if seen[oid.String()] {
			return errors.New("pki: duplicate extension " + oid.String())
		}
		seen[oid.String()] = true
		var ok bool
		switch {
		case oid.Equal(oidExtBasicConstraints):
			ok = parseBasicConstraints(c, value)
		case oid.Equal(oidExtKeyUsage):
			var bits asn1.BitString
			ok = value.ReadASN1BitString(&bits) && value.Empty()
			c.KeyUsagePresent = true
			for i := 0; i < 9 && ok; i++ {
				if bits.At(i) != 0 {
					c.KeyUsage |= x509.KeyUsage(1 << uint(i))
				}
			}
		case oid.Equal(oidExtSubjectKeyID):
			var id cryptobyte.String
			ok = value.ReadASN1(&id, cbasn1.OCTET_STRING) && value.Empty()
			c.SubjectKeyID = id
		case oid.Equal(oidExtAuthorityKeyID):
			var aki, id cryptobyte.String
			var present bool
			ok = value.ReadASN1(&aki, cbasn1.SEQUENCE) && value.Empty() &&
				aki.ReadOptionalASN1(&id, &present, cbasn1.Tag(0).ContextSpecific())
			c.AuthorityKeyID = id
		default:
			ok = true
			if critical {
				c.UnhandledCriticalExtensions = append(c.UnhandledCriticalExtensions, oid)
			}
		}
		if !ok {
			return errors.New("pki: malformed extension " + oid.String())
		}
	}
	return nil
}

// parseBasicConstraints reads SEQUENCE { cA BOOLEAN DEFAULT FALSE,
// pathLenConstraint INTEGER OPTIONAL }.
func parseBasicConstraints(c *Certificate, value cryptobyte.String) bool {
	var seq cryptobyte.String
	var pathLen int64 = -1
	if !value.ReadASN1(&seq, cbasn1.SEQUENCE) || !value.Empty() ||
		!readLenientBool(&seq, &c.IsCA) ||
		(seq.PeekASN1Tag(cbasn1.INTEGER) && !seq.ReadASN1Integer(&pathLen)) || !seq.Empty() {
		return false
	}
	if pathLen < -1 || pathLen > 1<<16 {
		return false
	}
	c.BasicConstraintsValid = true
	c.MaxPathLen = int(pathLen)
	return true
}

// readOptionalBool reads an optional universal BOOLEAN (DEFAULT FALSE).
// cryptobyte's ReadOptionalASN1Boolean is for explicitly tagged fields.
func readOptionalBool(s *cryptobyte.String, out *bool) bool {
	*out = false
	if !s.PeekASN1Tag(cbasn1.BOOLEAN) {
		return true
	}
	return s.ReadASN1Boolean(out)
}

// readLenientBool is readOptionalBool that also takes the BER form of TRUE
// (any non-zero octet), which CSCA certificates from several countries use
// for cA. The encoding is covered by the signature, so this is safe.
func readLenientBool(s *cryptobyte.String, out *bool) bool {
	*out = false
	var v cryptobyte.String
	if !s.PeekASN1Tag(cbasn1.BOOLEAN) {
		return true
	}
	if !s.ReadASN1(&v, cbasn1.BOOLEAN) || len(v) != 1 {
		return false
	}
	*out = v[0] != 0
	return true
}
