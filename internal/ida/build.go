package ida

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Trust framework and NIST SP 800-63A identity assurance levels.
const (
	TrustFrameworkNIST80063A = "nist_800_63A"

	IAL1 = "ial1"
	IAL2 = "ial2"
	IAL3 = "ial3"
)

// Document types (document_details.type).
const (
	DocumentPassport        = "passport"
	DocumentIDCard          = "idcard"
	DocumentDrivingPermit   = "driving_permit"
	DocumentResidencePermit = "residence_permit"
)

// Check methods (check_details[].check_method), from the IANA Identity Assurance check methods registry.
const (
	CheckVPIP   = "vpip"   // validation: physical inspection of the document, in person
	CheckVPIRUV = "vpiruv" // validation: physical inspection, in person, under UV and IR light
	CheckVRI    = "vri"    // validation: inspection of remote images of the document
	CheckVDIG   = "vdig"   // validation: inspection of a digital document's features
	CheckVCrypt = "vcrypt" // validation: cryptographic, e.g. chip passive authentication
	CheckData   = "data"   // validation: against an authoritative source of data
	CheckAuth   = "auth"   // verification: the person authenticated (e.g. one-time code)
	CheckToken  = "token"  // verification: the person holds a physical or digital token
	CheckKBV    = "kbv"    // verification: knowledge-based questions
	CheckPVP    = "pvp"    // verification: physical comparison by a person, applicant present
	CheckPVR    = "pvr"    // verification: physical comparison by a person, applicant remote
	CheckBVP    = "bvp"    // verification: automated biometric comparison, applicant present
	CheckBVR    = "bvr"    // verification: automated biometric comparison, applicant remote
)

var checkMethods = []string{
	CheckVPIP, CheckVPIRUV, CheckVRI, CheckVDIG, CheckVCrypt, CheckData,
	CheckAuth, CheckToken, CheckKBV, CheckPVP, CheckPVR, CheckBVP, CheckBVR,
}

// KnownCheckMethod reports whether m is one of the check methods above.
func KnownCheckMethod(m string) bool { return slices.Contains(checkMethods, m) }

// NewCheck returns one check_details entry.
func NewCheck(method, organization, checkID string, at time.Time) CheckDetail {
	c := CheckDetail{CheckMethod: method, Organization: organization, CheckID: checkID}
	if !at.IsZero() {
		c.Time = NewDateTime(at)
	}
	return c
}

// NewDocumentEvidence returns document evidence: the document and the checks made on it and on the
// person presenting it.
func NewDocumentEvidence(doc DocumentDetails, checks ...CheckDetail) Evidence {
	return Evidence{Type: EvidenceDocument, DocumentDetails: &doc, CheckDetails: nonEmpty(checks)}
}

// NewElectronicRecordEvidence returns electronic-record evidence.
func NewElectronicRecordEvidence(rec Record, checks ...CheckDetail) Evidence {
	return Evidence{Type: EvidenceElectronicRecord, Record: &rec, CheckDetails: nonEmpty(checks)}
}

// NewVouchEvidence returns vouch evidence: a third party's attestation (e.g. the employer vouching for a
// work email address).
func NewVouchEvidence(att Attestation, checks ...CheckDetail) Evidence {
	return Evidence{Type: EvidenceVouch, Attestation: &att, CheckDetails: nonEmpty(checks)}
}

// NewElectronicSignatureEvidence returns electronic-signature evidence.
func NewElectronicSignatureEvidence(signatureType, issuer, serialNumber string, createdAt time.Time) Evidence {
	e := Evidence{Type: EvidenceElectronicSignature, SignatureType: signatureType, Issuer: issuer, SerialNumber: serialNumber}
	if !createdAt.IsZero() {
		e.CreatedAt = NewDateTime(createdAt)
	}
	return e
}

// nonEmpty keeps an absent list absent: the schema rejects an empty check_details array.
func nonEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// Builder assembles the verified_claims the verifier issues. Build checks the result.
type Builder struct {
	v Verification
}

// NewBuilder starts an attestation under framework at level, verified at verifiedAt.
func NewBuilder(framework, level string, verifiedAt time.Time) *Builder {
	b := &Builder{v: Verification{TrustFramework: framework, AssuranceLevel: level}}
	if !verifiedAt.IsZero() {
		b.v.Time = NewDateTime(verifiedAt)
	}
	return b
}

// Process sets verification_process: the verifier's reference for the audit trail.
func (b *Builder) Process(ref string) *Builder { b.v.VerificationProcess = ref; return b }

// AssuranceProcess sets assurance_process.
func (b *Builder) AssuranceProcess(ap AssuranceProcess) *Builder {
	b.v.AssuranceProcess = &ap
	return b
}

// Evidence appends evidence.
func (b *Builder) Evidence(e ...Evidence) *Builder {
	b.v.Evidence = append(b.v.Evidence, e...)
	return b
}

// Build returns the verified_claims for claims, or every reason it cannot be issued. Beyond Validate it
// requires what Vigil's attestations always carry (a known level for NIST, a time, evidence with known
// check methods, at least one claim) and the schema's formats, so that nothing Vigil issues fails an RP's
// schema check.
func (b *Builder) Build(claims Claims) (VerifiedClaims, error) {
	vc := VerifiedClaims{Verification: b.v, Claims: claims}
	vc.Verification.Evidence = slices.Clone(b.v.Evidence)
	if err := vc.Validate(); err != nil {
		return VerifiedClaims{}, err
	}
	var p problems
	v := &vc.Verification
	if v.TrustFramework == TrustFrameworkNIST80063A {
		if _, ok := Rank(v.AssuranceLevel); !ok {
			p.add("verification.assurance_level", "%q is not a NIST SP 800-63A level", truncate(v.AssuranceLevel))
		}
	}
	if v.Time.IsZero() {
		p.add("verification.time", "required")
	}
	if len(v.Evidence) == 0 {
		p.add("verification.evidence", "required")
	}
	for i, e := range v.Evidence {
		path := fmt.Sprintf("verification.evidence[%d]", i)
		for j, c := range e.CheckDetails {
			if !KnownCheckMethod(c.CheckMethod) {
				p.add(fmt.Sprintf("%s.check_details[%d].check_method", path, j), "unknown %q", truncate(c.CheckMethod))
			}
		}
		if e.Type == EvidenceDocument && e.DocumentDetails == nil {
			p.add(path+".document_details", "required")
		}
		if d := e.DocumentDetails; d != nil {
			checkDates(&p, path+".document_details", d.DateOfIssuance, d.DateOfExpiry)
			if d.Issuer != nil {
				checkPattern(&p, path+".document_details.issuer.country_code", d.Issuer.CountryCode, countryCode)
			}
		}
		if r := e.Record; r != nil {
			checkDates(&p, path+".record", r.DateOfExpiry)
		}
		if a := e.Attestation; a != nil {
			checkDates(&p, path+".attestation", a.DateOfIssuance, a.DateOfExpiry)
			if a.Voucher != nil {
				checkDates(&p, path+".attestation.voucher", a.Voucher.Birthdate)
			}
		}
	}
	checkIssuedClaims(&p, "claims", &vc.Claims)
	if err := p.err(); err != nil {
		return VerifiedClaims{}, err
	}
	return vc, nil
}

// The claims schema's patterns, enforced when issuing.
var (
	countryCode = regexp.MustCompile(`^[a-zA-Z]{2}[a-zA-Z]?$`)
	emailAddr   = regexp.MustCompile(`^[^@]{1,}@([^@.])+([.][^@]{1,})+$`)
	phoneNumber = regexp.MustCompile(`^[+]?([0-9]{5,15})(;ext[0-9]{0,9})?$`)
	msisdn      = regexp.MustCompile(`^[+]?([0-9]{5,15})$`)
	localeTag   = regexp.MustCompile(`^[a-zA-Z]{2}[-_][A-Z]{2}[a-zA-Z]?$`)
)

func checkIssuedClaims(p *problems, path string, c *Claims) {
	j, err := c.MarshalJSON()
	if err != nil || string(j) == "{}" {
		p.add(path, "at least one claim is required")
	}
	checkDates(p, path, c.Birthdate)
	for i, n := range c.Nationalities {
		checkPattern(p, fmt.Sprintf("%s.nationalities[%d]", path, i), n, countryCode)
		if slices.Index(c.Nationalities, n) != i {
			p.add(fmt.Sprintf("%s.nationalities[%d]", path, i), "duplicate")
		}
	}
	if c.Address != nil {
		checkPattern(p, path+".address.country_code", c.Address.CountryCode, countryCode)
		if *c.Address == (Address{}) {
			p.add(path+".address", "empty")
		}
	}
	if c.PlaceOfBirth != nil {
		checkPattern(p, path+".place_of_birth.country", c.PlaceOfBirth.Country, countryCode)
		if *c.PlaceOfBirth == (PlaceOfBirth{}) {
			p.add(path+".place_of_birth", "empty")
		}
	}
	checkPattern(p, path+".email", c.Email, emailAddr)
	checkPattern(p, path+".phone_number", c.PhoneNumber, phoneNumber)
	checkPattern(p, path+".msisdn", c.MSISDN, msisdn)
	checkPattern(p, path+".locale", c.Locale, localeTag)
}

// checkPattern checks s against re when s is set.
func checkPattern(p *problems, path, s string, re *regexp.Regexp) {
	if s != "" && !re.MatchString(s) {
		p.add(path, "%q does not match %s", truncate(s), re)
	}
}

// checkDates rejects dates that are not real calendar dates (NewDate does not normalise).
func checkDates(p *problems, path string, dates ...Date) {
	for _, d := range dates {
		if !d.IsZero() && !d.valid() {
			p.add(path, "%q is not a calendar date", d.String())
		}
	}
}
