package trust

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/chip"
	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

// maxCRLSize bounds one CRL; real CSCA CRLs are a few kilobytes.
const maxCRLSize = 16 << 20

// cscaID names a CSCA for revocation: its subject and public key. A
// self-signed CSCA and the link certificate carrying the same key share it,
// as they should: both stand for one signing key. Two CSCAs that only share
// a name do not, so one key's CRL never revokes another key's serials.
type cscaID [32]byte

func idOf(c *pki.Certificate) cscaID {
	name, ok := chip.NameKey(c.RawSubject)
	return idFor(name, ok, c)
}

// idFor is idOf with the subject's NameKey already computed.
func idFor(name string, nameOK bool, c *pki.Certificate) cscaID {
	if !nameOK {
		name = string(c.RawSubject)
	}
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(name)))
	h.Write(n[:])
	h.Write([]byte(name))
	h.Write(c.RawSubjectPublicKeyInfo)
	var id cscaID
	h.Sum(id[:0])
	return id
}

// revocations is what the store keeps from the CRLs of one CSCA key.
type revocations struct {
	serials    map[string]bool // big.Int text, base 16
	thisUpdate time.Time       // newest CRL seen
	nextUpdate time.Time       // of that CRL
}

// AddCRL verifies an X.509 CRL (DER) and records its revoked serials
// against the CSCA that signed it. The CRL is accepted only if its
// signature verifies under a trusted CSCA whose subject equals the CRL's
// issuer name and whose keyUsage, when present, includes cRLSign. A CRL
// with an unhandled critical extension (delta CRLs, partitioned or indirect
// CRLs) is refused, as RFC 5280 requires, and so is one whose thisUpdate is
// after now.
//
// Revocations accumulate: every verified CRL adds its serials and none
// removes any, and a CRL past its nextUpdate still counts. A stale CRL is
// old news, not false news: a revocation does not expire, and dropping it
// would turn a revoked DS back into a valid one.
func (s *Store) AddCRL(der []byte, now time.Time) error {
	_, err := s.addCRL(der, now)
	return err
}

func (s *Store) addCRL(der []byte, now time.Time) (*pki.Certificate, error) {
	crl, signer, err := s.verifyCRL(der, now)
	if err != nil {
		return nil, err
	}
	s.applyCRL(crl, signer)
	return signer, nil
}

// verifyCRL parses der and finds the trusted CSCA that signed it; it
// changes nothing.
func (s *Store) verifyCRL(der []byte, now time.Time) (*pki.CRL, *pki.Certificate, error) {
	if len(der) > maxCRLSize {
		return nil, nil, crlRejected("%d bytes exceeds the %d byte limit", len(der), maxCRLSize)
	}
	crl, err := pki.ParseCRL(der)
	if err != nil {
		return nil, nil, crlRejected("%v", err)
	}
	if len(crl.UnhandledCriticalExtensions) > 0 {
		return nil, nil, crlRejected("unhandled critical extension %s", crl.UnhandledCriticalExtensions[0])
	}
	if crl.ThisUpdate.After(now) {
		return nil, nil, crlRejected("CRL of %q issued %s, after now", crl.Issuer.String(), crl.ThisUpdate.UTC().Format(time.RFC3339))
	}
	signer, err := s.crlSigner(crl)
	if err != nil {
		return nil, nil, err
	}
	return crl, signer, nil
}

func (s *Store) applyCRL(crl *pki.CRL, signer *pki.Certificate) {
	id := idOf(signer)
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.revoked[id]
	if r == nil {
		r = &revocations{serials: map[string]bool{}}
		s.revoked[id] = r
	}
	for _, e := range crl.Revoked {
		r.serials[e.SerialNumber.Text(16)] = true
	}
	if crl.ThisUpdate.After(r.thisUpdate) {
		r.thisUpdate, r.nextUpdate = crl.ThisUpdate, crl.NextUpdate
	}
}

// crlSigner finds the trusted CSCA, by the CRL's issuer name, whose key
// verifies the CRL.
func (s *Store) crlSigner(crl *pki.CRL) (*pki.Certificate, error) {
	var cands []*pki.Certificate
	s.mu.RLock()
	if k, ok := chip.NameKey(crl.RawIssuer); ok {
		for _, e := range s.byName[k] {
			cands = append(cands, e.cert)
		}
	}
	s.mu.RUnlock()
	if len(cands) == 0 {
		return nil, crlRejected("no trusted CSCA named %q", crl.Issuer.String())
	}
	detail := "no trusted CSCA of that name verifies its signature"
	for _, c := range cands {
		if pki.CheckCRLSignature(crl, c) != nil {
			continue
		}
		if c.KeyUsagePresent && c.KeyUsage&x509.KeyUsageCRLSign == 0 {
			detail = "the verifying CSCA's keyUsage lacks cRLSign"
			continue
		}
		return c, nil
	}
	return nil, crlRejected("CRL of %q: %s", crl.Issuer.String(), detail)
}

// isRevoked reports whether ds's serial is on a verified CRL of the CSCA
// key id.
func (s *Store) isRevoked(id cscaID, ds *pki.Certificate) bool {
	if ds.SerialNumber == nil {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.revoked) == 0 {
		return false
	}
	r := s.revoked[id]
	return r != nil && r.serials[ds.SerialNumber.Text(16)]
}

func crlRejected(format string, a ...any) *Error {
	e := rejected(format, a...)
	e.Reason = ReasonCRLRejected
	return e
}
