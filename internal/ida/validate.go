package ida

import (
	"errors"
	"fmt"
)

// Evidence types (verification.evidence[].type).
const (
	EvidenceDocument            = "document"
	EvidenceElectronicRecord    = "electronic_record"
	EvidenceVouch               = "vouch"
	EvidenceElectronicSignature = "electronic_signature"
)

// problems collects every structural problem so that one error reports them all.
type problems []error

func (p *problems) add(path, format string, args ...any) {
	*p = append(*p, fmt.Errorf("%w: %s: %s", ErrInvalid, path, fmt.Sprintf(format, args...)))
}

func (p problems) err() error { return errors.Join(p...) }

// Validate checks what the IDA schema requires of a verified_claims object: required members, the
// evidence type enumeration, the members each evidence type requires, and non-empty arrays. It is what a
// reader must check; the builder applies stricter rules on top (see Builder.Build).
func (vc *VerifiedClaims) Validate() error {
	var p problems
	vc.Verification.validate(&p)
	vc.Claims.validate(&p, "claims")
	return p.err()
}

func (v *Verification) validate(p *problems) {
	if v.TrustFramework == "" {
		p.add("verification.trust_framework", "required")
	}
	if ap := v.AssuranceProcess; ap != nil {
		if ap.AssuranceDetails != nil && len(ap.AssuranceDetails) == 0 {
			p.add("verification.assurance_process.assurance_details", "must not be empty")
		}
		for i, d := range ap.AssuranceDetails {
			for j, r := range d.EvidenceRef {
				if r.CheckID == "" {
					p.add(fmt.Sprintf("verification.assurance_process.assurance_details[%d].evidence_ref[%d].check_id", i, j), "required")
				}
			}
		}
	}
	if v.Evidence != nil && len(v.Evidence) == 0 {
		p.add("verification.evidence", "must not be empty")
	}
	for i := range v.Evidence {
		v.Evidence[i].validate(p, fmt.Sprintf("verification.evidence[%d]", i))
	}
}

func (e *Evidence) validate(p *problems, path string) {
	switch e.Type {
	case EvidenceDocument:
		if e.DocumentDetails != nil && e.DocumentDetails.Type == "" {
			p.add(path+".document_details.type", "required")
		}
	case EvidenceElectronicRecord:
		if e.Record != nil && e.Record.Type == "" {
			p.add(path+".record.type", "required")
		}
	case EvidenceVouch:
		if e.Attestation != nil && e.Attestation.Type == "" {
			p.add(path+".attestation.type", "required")
		}
	case EvidenceElectronicSignature:
		for _, m := range [...]struct{ name, val string }{
			{"signature_type", e.SignatureType}, {"issuer", e.Issuer}, {"serial_number", e.SerialNumber},
		} {
			if m.val == "" {
				p.add(path+"."+m.name, "required for electronic_signature")
			}
		}
	case "":
		p.add(path+".type", "required")
	default:
		p.add(path+".type", "unknown evidence type %q", truncate(e.Type))
	}
	if e.CheckDetails != nil && len(e.CheckDetails) == 0 {
		p.add(path+".check_details", "must not be empty")
	}
	for i, c := range e.CheckDetails {
		if c.CheckMethod == "" {
			p.add(fmt.Sprintf("%s.check_details[%d].check_method", path, i), "required")
		}
	}
	if e.Attachments != nil && (len(e.Attachments) == 0 || e.Attachments[0] != '[') {
		p.add(path+".attachments", "must be an array")
	}
	if e.DerivedClaims != nil {
		e.DerivedClaims.validate(p, path+".derived_claims")
	}
}

func (c *Claims) validate(p *problems, path string) {
	if c.Nationalities != nil && len(c.Nationalities) == 0 {
		p.add(path+".nationalities", "must not be empty")
	}
}
