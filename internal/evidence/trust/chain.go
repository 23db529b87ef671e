package trust

import (
	"crypto/x509"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/chip"
	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

// Chain finds the trusted CSCA that issued ds. Candidates share ds's issuer
// name (chip's set-of-attributes rule) or have a subjectKeyIdentifier equal
// to ds's authorityKeyIdentifier; a candidate is accepted only if it
// verifies ds's signature and was valid at ds's notBefore (a CSCA must be
// valid when it issues, ICAO 9303 part 12). The candidate must also be allowed to issue certificates (see mayIssue).
// A chained DS must then allow digitalSignature if it has a keyUsage
// extension, must not be on a verified CRL of the issuing CSCA's key
// (AddCRL), and must be valid at at, checked in that order. Failures are
// *Error with ReasonCSCAUnknown, ReasonDSNotChained, ReasonDSKeyUsage,
// ReasonDSRevoked or ReasonDSExpired, and never come with a certificate, so
// a caller that only checks for a non-nil CSCA still fails closed.
func (s *Store) Chain(ds *pki.Certificate, at time.Time) (*pki.Certificate, error) {
	if ds == nil {
		return nil, &Error{Reason: ReasonCSCAUnknown, Detail: "no Document Signer certificate"}
	}
	cands := s.candidates(ds)
	if len(cands) == 0 {
		return nil, &Error{Reason: ReasonCSCAUnknown, Detail: "no trusted CSCA named " + ds.Issuer.String()}
	}
	var issuer *entry
	detail := "no candidate CSCA verifies the signature"
	for _, e := range cands {
		c := e.cert
		if pki.CheckSignature(ds, c) != nil {
			continue
		}
		if ds.NotBefore.Before(c.NotBefore) || ds.NotBefore.After(c.NotAfter) {
			detail = "the verifying CSCA was not valid when the DS was issued"
			continue
		}
		if why := mayIssue(c); why != "" {
			detail = "the verifying CSCA " + why
			continue
		}
		issuer = e
		break
	}
	if issuer == nil {
		return nil, &Error{Reason: ReasonDSNotChained, Detail: detail}
	}
	if ds.KeyUsagePresent && ds.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return nil, &Error{Reason: ReasonDSKeyUsage, Detail: "DS keyUsage lacks digitalSignature"}
	}
	if s.isRevoked(issuer.id, ds) {
		return nil, &Error{Reason: ReasonDSRevoked, Detail: "DS serial " + ds.SerialNumber.Text(16) +
			" is on a CRL of " + issuer.cert.Subject.String()}
	}
	if at.Before(ds.NotBefore) || at.After(ds.NotAfter) {
		return nil, &Error{Reason: ReasonDSExpired, Detail: "DS valid " +
			ds.NotBefore.UTC().Format(time.DateOnly) + " to " + ds.NotAfter.UTC().Format(time.DateOnly)}
	}
	return issuer.cert, nil
}

// candidates returns the distinct CSCAs matching ds by AKI or issuer name,
// AKI matches first since they are the more specific.
func (s *Store) candidates(ds *pki.Certificate) []*entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[*entry]bool{}
	var out []*entry
	add := func(es []*entry) {
		for _, e := range es {
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	if len(ds.AuthorityKeyID) > 0 {
		add(s.bySKI[string(ds.AuthorityKeyID)])
	}
	if k, ok := chip.NameKey(ds.RawIssuer); ok {
		add(s.byName[k])
	}
	return out
}

// mayIssue says why c may not sign certificates, or "" if it may. A
// keyUsage extension must include keyCertSign. basicConstraints cA:FALSE
// disqualifies only a certificate without keyUsage: in the DE and NL master
// lists seven CSCAs assert keyCertSign yet say cA:FALSE (the two
// self-signed Turkish roots, Italy's, and link certificates of LU, PT and
// CM). A master list or the operator vouches for them as CSCAs, and
// keyCertSign is the issuer's explicit statement about this key, so
// refusing them would reject a country's valid passports for an encoding
// slip while adding no protection the keyCertSign check does not give.
func mayIssue(c *pki.Certificate) string {
	switch {
	case c.KeyUsagePresent && c.KeyUsage&x509.KeyUsageCertSign == 0:
		return "has a keyUsage without keyCertSign"
	case !c.KeyUsagePresent && c.BasicConstraintsValid && !c.IsCA:
		return "is not a CA (basicConstraints) and has no keyUsage"
	}
	return ""
}
