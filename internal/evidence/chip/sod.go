package chip

import (
	"crypto"
	"encoding/asn1"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

// Bounds on outside input. Real SODs are 1-3 KB with one certificate.
const (
	maxSODSize      = 64 << 10
	maxCertificates = 8
	maxDataGroup    = 16 // LDS 1.x data groups are numbered 1..16
)

var (
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidLDSSecurity   = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 1}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
)

const tagEFSOD = cbasn1.Tag(0x77) // [APPLICATION 23] constructed

// SOD is a parsed EF.SOD. Nothing in it is verified until VerifySignature
// returns nil, and nothing in it is trusted until the caller chains
// DocumentSigner to a CSCA.
type SOD struct {
	// DigestAlgorithm is the LDSSecurityObject's hashAlgorithm, used for the
	// data group hashes.
	DigestAlgorithm crypto.Hash
	// DataGroupHashes maps data group number (1..16) to its hash.
	DataGroupHashes map[int][]byte
	// DocumentSigner is the certificate the SignerInfo names (see
	// matchSigner); nil when none of the carried certificates matches.
	DocumentSigner *pki.Certificate
	// Certificates are all certificates the SOD carries, in order.
	Certificates []*pki.Certificate

	eContent []byte
	signer   signerInfo
	// dsAmbiguous is set when more than one certificate matches the signer
	// identifier; VerifySignature then fails rather than pick one.
	dsAmbiguous bool
}

// ParseSOD parses an EF.SOD file: tag 0x77 around a CMS ContentInfo of
// SignedData whose content is an LDSSecurityObject, in DER or BER
// (indefinite lengths are rewritten first; NZ uses them), with no trailing data.
// It checks structure only; call VerifySignature and CheckDataGroups.
func ParseSOD(b []byte) (*SOD, error) {
	if len(b) > maxSODSize {
		return nil, malformed("%d bytes exceeds the %d byte limit", len(b), maxSODSize)
	}
	if der, err := berToDER(b); err == nil {
		b = der
	} else {
		return nil, malformed("%v", err)
	}
	in := cryptobyte.String(b)
	var wrapper, ci, sd cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&wrapper, tagEFSOD) || !in.Empty() {
		return nil, malformed("not a tag 0x77 object, or trailing data")
	}
	if !wrapper.ReadASN1(&ci, cbasn1.SEQUENCE) || !wrapper.Empty() ||
		!ci.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidSignedData) {
		return nil, malformed("not a CMS SignedData ContentInfo")
	}
	if !ci.ReadASN1(&sd, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() ||
		!sd.ReadASN1(&sd, cbasn1.SEQUENCE) {
		return nil, malformed("bad SignedData wrapper")
	}
	s := &SOD{}
	if err := s.parseSignedData(sd); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *SOD) parseSignedData(sd cryptobyte.String) error {
	var version int64
	var digestAlgs, eci, eContentWrap, certs, signerInfos, si cryptobyte.String
	var eType asn1.ObjectIdentifier
	if !sd.ReadASN1Integer(&version) || version < 1 || version > 5 ||
		!sd.ReadASN1(&digestAlgs, cbasn1.SET) {
		return malformed("bad SignedData version or digestAlgorithms")
	}
	if !sd.ReadASN1(&eci, cbasn1.SEQUENCE) || !eci.ReadASN1ObjectIdentifier(&eType) ||
		!eType.Equal(oidLDSSecurity) {
		return malformed("encapsulated content is not an LDSSecurityObject")
	}
	var eContent cryptobyte.String
	if !eci.ReadASN1(&eContentWrap, cbasn1.Tag(0).Constructed().ContextSpecific()) || !eci.Empty() ||
		!eContentWrap.ReadASN1(&eContent, cbasn1.OCTET_STRING) || !eContentWrap.Empty() {
		return malformed("missing or bad eContent")
	}
	s.eContent = eContent
	if err := s.parseLDS(eContent); err != nil {
		return err
	}
	var present bool
	if !sd.ReadOptionalASN1(&certs, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return malformed("bad certificates field")
	}
	for !certs.Empty() {
		var der cryptobyte.String
		if len(s.Certificates) == maxCertificates || !certs.ReadASN1Element(&der, cbasn1.SEQUENCE) {
			return malformed("too many certificates, or one that is not X.509")
		}
		c, err := pki.ParseCertificate(der)
		if err != nil {
			return malformed("certificate %d: %v", len(s.Certificates), err)
		}
		s.Certificates = append(s.Certificates, c)
	}
	// CRLs ([1]) carry nothing passive authentication uses here; skip them.
	var crls cryptobyte.String
	if !sd.ReadOptionalASN1(&crls, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) ||
		!sd.ReadASN1(&signerInfos, cbasn1.SET) || !sd.Empty() {
		return malformed("bad crls or signerInfos")
	}
	// Doc 9303 SODs carry one SignerInfo; more would let a verifier pick the
	// convenient one, so refuse.
	if !signerInfos.ReadASN1(&si, cbasn1.SEQUENCE) || !signerInfos.Empty() {
		return malformed("want exactly one SignerInfo")
	}
	sig, err := parseSignerInfo(si, eType)
	if err != nil {
		return err
	}
	s.signer = *sig
	var matches []*pki.Certificate
	for _, c := range s.Certificates {
		if s.signer.identifies(c) {
			matches = append(matches, c)
		}
	}
	switch len(matches) {
	case 0:
	case 1:
		s.DocumentSigner = matches[0]
	default:
		s.dsAmbiguous = true
	}
	return nil
}

// parseLDS reads LDSSecurityObject ::= SEQUENCE { version (0 or 1),
// hashAlgorithm, dataGroupHashValues SEQUENCE OF DataGroupHash,
// ldsVersionInfo (v1 only) }.
func (s *SOD) parseLDS(b []byte) error {
	in := cryptobyte.String(b)
	var lds, dgs, versionInfo cryptobyte.String
	var version int64
	if !in.ReadASN1(&lds, cbasn1.SEQUENCE) || !in.Empty() ||
		!lds.ReadASN1Integer(&version) || (version != 0 && version != 1) {
		return malformed("bad LDSSecurityObject or version")
	}
	h, ok := pki.ReadHashAlgorithm(&lds)
	if !ok {
		return malformed("unsupported or bad LDS hashAlgorithm")
	}
	if !lds.ReadASN1(&dgs, cbasn1.SEQUENCE) {
		return malformed("bad dataGroupHashValues")
	}
	if version == 1 && !lds.ReadASN1(&versionInfo, cbasn1.SEQUENCE) || !lds.Empty() {
		return malformed("bad ldsVersionInfo or trailing data")
	}
	s.DigestAlgorithm = h
	s.DataGroupHashes = make(map[int][]byte)
	for !dgs.Empty() {
		var dg cryptobyte.String
		var n int64
		var value []byte
		if !dgs.ReadASN1(&dg, cbasn1.SEQUENCE) || !dg.ReadASN1Integer(&n) ||
			!dg.ReadASN1Bytes(&value, cbasn1.OCTET_STRING) || !dg.Empty() {
			return malformed("bad DataGroupHash")
		}
		if n < 1 || n > maxDataGroup {
			return malformed("data group number %d out of range", n)
		}
		if _, dup := s.DataGroupHashes[int(n)]; dup {
			return malformed("DG%d listed twice", n)
		}
		if len(value) != h.Size() {
			return malformed("DG%d hash is %d bytes, want %d", n, len(value), h.Size())
		}
		s.DataGroupHashes[int(n)] = value
	}
	if len(s.DataGroupHashes) == 0 {
		return malformed("no data group hashes")
	}
	return nil
}

func readSerial(s *cryptobyte.String) (*big.Int, bool) {
	n := new(big.Int)
	return n, s.ReadASN1Integer(n)
}
