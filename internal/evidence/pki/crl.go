package pki

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// maxCRLEntries bounds a CRL's revoked list; real CSCA CRLs hold a few
// hundred entries at most.
const maxCRLEntries = 1 << 20

var (
	oidExtCRLNumber      = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidExtReasonCode     = asn1.ObjectIdentifier{2, 5, 29, 21}
	oidExtInvalidityDate = asn1.ObjectIdentifier{2, 5, 29, 24}
)

// CRL is the part of an X.509 v2 certificate revocation list (RFC 5280
// section 5) a trust store needs. It is parsed here rather than with
// crypto/x509 so that its signature can be checked with VerifySignature,
// which handles the brainpool and explicit-parameter keys of CSCAs.
type CRL struct {
	Raw, RawTBSCertList []byte
	RawIssuer           []byte
	Issuer              pkix.Name
	ThisUpdate          time.Time
	NextUpdate          time.Time // zero when absent
	SignatureAlgorithm  AlgorithmIdentifier
	Signature           []byte
	AuthorityKeyID      []byte
	Number              *big.Int // nil when absent
	Revoked             []RevokedCertificate

	// UnhandledCriticalExtensions lists critical CRL and entry extensions
	// this parser does not act on (delta CRL indicator, issuing
	// distribution point, certificate issuer): RFC 5280 forbids using such
	// a CRL, and the caller decides how to refuse it.
	UnhandledCriticalExtensions []asn1.ObjectIdentifier
}

// RevokedCertificate is one CRL entry.
type RevokedCertificate struct {
	SerialNumber   *big.Int
	RevocationTime time.Time
}

var errCRL = errors.New("pki: malformed CRL")

// ParseCRL parses one DER CertificateList. It checks structure only; the
// signature is the caller's to verify with CheckCRLSignature.
func ParseCRL(der []byte) (*CRL, error) {
	in := cryptobyte.String(der)
	var list, tbs, alg, params cryptobyte.String
	var sig asn1.BitString
	var present bool
	c := &CRL{Raw: der}
	if !in.ReadASN1(&list, cbasn1.SEQUENCE) || !in.Empty() ||
		!list.ReadASN1Element(&tbs, cbasn1.SEQUENCE) || !list.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!list.ReadASN1BitString(&sig) || !list.Empty() {
		return nil, errCRL
	}
	if !alg.ReadASN1ObjectIdentifier(&c.SignatureAlgorithm.Algorithm) ||
		!readOptionalAny(&alg, &params, &present) || !alg.Empty() || sig.BitLength%8 != 0 {
		return nil, errors.New("pki: malformed CRL signature or algorithm")
	}
	c.SignatureAlgorithm.Parameters, c.Signature, c.RawTBSCertList = params, sig.Bytes, tbs
	if err := parseTBSCertList(c); err != nil {
		return nil, err
	}
	return c, nil
}

func parseTBSCertList(c *CRL) error {
	in := cryptobyte.String(c.RawTBSCertList)
	var tbs, alg, params, issuer cryptobyte.String
	var oid asn1.ObjectIdentifier
	var present bool
	if !in.ReadASN1(&tbs, cbasn1.SEQUENCE) || !in.Empty() {
		return errCRL
	}
	version := int64(0) // v1 omits the field
	if tbs.PeekASN1Tag(cbasn1.INTEGER) && (!tbs.ReadASN1Integer(&version) || version != 1) {
		return errors.New("pki: unsupported CRL version")
	}
	if !tbs.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) ||
		!readOptionalAny(&alg, &params, &present) || !alg.Empty() {
		return errCRL
	}
	// The outer algorithm is not signed; it must repeat the signed one.
	if !oid.Equal(c.SignatureAlgorithm.Algorithm) || !bytes.Equal(params, c.SignatureAlgorithm.Parameters) {
		return errors.New("pki: CRL signature algorithm differs inside and outside the signed part")
	}
	if !tbs.ReadASN1Element(&issuer, cbasn1.SEQUENCE) {
		return errCRL
	}
	c.RawIssuer = issuer
	if err := parseName(issuer, &c.Issuer); err != nil {
		return err
	}
	var err error
	if c.ThisUpdate, err = readTime(&tbs); err != nil {
		return err
	}
	if tbs.PeekASN1Tag(cbasn1.UTCTime) || tbs.PeekASN1Tag(cbasn1.GeneralizedTime) {
		if c.NextUpdate, err = readTime(&tbs); err != nil {
			return err
		}
	}
	if tbs.PeekASN1Tag(cbasn1.SEQUENCE) {
		var entries cryptobyte.String
		if !tbs.ReadASN1(&entries, cbasn1.SEQUENCE) {
			return errCRL
		}
		if err := c.parseEntries(entries, version); err != nil {
			return err
		}
	}
	var wrap, exts cryptobyte.String
	if !tbs.ReadOptionalASN1(&wrap, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) || !tbs.Empty() {
		return errCRL
	}
	if present {
		if version != 1 || !wrap.ReadASN1(&exts, cbasn1.SEQUENCE) || !wrap.Empty() {
			return errCRL
		}
		return c.parseExtensions(exts)
	}
	return nil
}

func (c *CRL) parseEntries(entries cryptobyte.String, version int64) error {
	for !entries.Empty() {
		var entry, exts cryptobyte.String
		r := RevokedCertificate{SerialNumber: new(big.Int)}
		var present bool
		if len(c.Revoked) == maxCRLEntries || !entries.ReadASN1(&entry, cbasn1.SEQUENCE) ||
			!entry.ReadASN1Integer(r.SerialNumber) {
			return fmt.Errorf("pki: malformed CRL entry %d", len(c.Revoked))
		}
		var err error
		if r.RevocationTime, err = readTime(&entry); err != nil {
			return err
		}
		if !entry.ReadOptionalASN1(&exts, &present, cbasn1.SEQUENCE) || !entry.Empty() || (present && version != 1) {
			return fmt.Errorf("pki: malformed CRL entry %d", len(c.Revoked))
		}
		if present {
			if err := c.walkExtensions(exts, func(oid asn1.ObjectIdentifier, _ cryptobyte.String) (bool, bool) {
				known := oid.Equal(oidExtReasonCode) || oid.Equal(oidExtInvalidityDate)
				return known, true
			}); err != nil {
				return err
			}
		}
		c.Revoked = append(c.Revoked, r)
	}
	return nil
}

func (c *CRL) parseExtensions(exts cryptobyte.String) error {
	return c.walkExtensions(exts, func(oid asn1.ObjectIdentifier, value cryptobyte.String) (bool, bool) {
		switch {
		case oid.Equal(oidExtAuthorityKeyID):
			var aki, id cryptobyte.String
			var present bool
			ok := value.ReadASN1(&aki, cbasn1.SEQUENCE) && value.Empty() &&
				aki.ReadOptionalASN1(&id, &present, cbasn1.Tag(0).ContextSpecific())
			c.AuthorityKeyID = id
			return true, ok
		case oid.Equal(oidExtCRLNumber):
			c.Number = new(big.Int)
			ok := value.ReadASN1Integer(c.Number) && value.Empty() && c.Number.Sign() >= 0
			return true, ok
		}
		return false, true
	})
}

// walkExtensions reads Extensions and calls f for each; f reports whether
// it handled the extension and whether its value was well formed. Critical
// extensions f does not handle are recorded, never silently ignored.
func (c *CRL) walkExtensions(exts cryptobyte.String, f func(asn1.ObjectIdentifier, cryptobyte.String) (handled, ok bool)) error {
	seen := map[string]bool{}
	for !exts.Empty() {
		var ext, value cryptobyte.String
		var oid asn1.ObjectIdentifier
		critical := false
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&oid) ||
			!readOptionalBool(&ext, &critical) || !ext.ReadASN1(&value, cbasn1.OCTET_STRING) || !ext.Empty() {
			return errors.New("pki: malformed CRL extension")
		}
		if seen[oid.String()] {
			return errors.New("pki: duplicate CRL extension " + oid.String())
		}
		seen[oid.String()] = true
		handled, ok := f(oid, value)
		if !ok {
			return errors.New("pki: malformed CRL extension " + oid.String())
		}
		if !handled && critical {
			c.UnhandledCriticalExtensions = append(c.UnhandledCriticalExtensions, oid)
		}
	}
	return nil
}

// CheckCRLSignature verifies crl's signature with issuer's public key. It
// says nothing about names, validity or key usage.
func CheckCRLSignature(crl *CRL, issuer *Certificate) error {
	if crl == nil || issuer == nil || issuer.PublicKey == nil {
		return errors.New("pki: missing CRL, certificate or key")
	}
	return VerifySignature(issuer.PublicKey, crl.SignatureAlgorithm, crl.RawTBSCertList, crl.Signature)
}
