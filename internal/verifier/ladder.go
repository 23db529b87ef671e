package verifier

import "slices"

// The acr ladder, lowest first. Begin picks the highest requested rung this
// verifier supports.
const (
	// RungEmail: a one-time code sent to the work email address. No
	// verified_claims.
	RungEmail = "urn:vigil:idv:email"
	// RungDocumentReview: RungEmail plus an identity document photo with a
	// valid MRZ and a selfie, compared by a reviewer (IAL2, vri + pvr).
	RungDocumentReview = "urn:vigil:idv:document-review"
	// RungChip: RungDocumentReview plus the document's chip read by a
	// reader app: passive authentication to a trusted CSCA, active
	// authentication when the chip supports it, and its DG1 equal to the
	// printed MRZ. The reviewer compares the selfie with the chip's
	// portrait (IAL2 with the strongest evidence: vcrypt + pvr).
	RungChip = "urn:vigil:idv:chip"
)

// Ladder is every rung, lowest first. A verifier without a CSCA trust store
// supports all but RungChip (see Verifier.Rungs).
var Ladder = []string{RungEmail, RungDocumentReview, RungChip}

// amrOTP is the method of every rung: the email one-time code (RFC 8176).
const amrOTP = "otp"

// rank returns the position of acr on the ladder, or -1.
func rank(acr string) int { return slices.Index(Ladder, acr) }

// pickRung returns the highest requested rung among the supported ones,
// else the lowest rung.
func pickRung(supported, requested []string) string {
	best := ""
	for _, a := range requested {
		if slices.Contains(supported, a) && rank(a) > rank(best) {
			best = a
		}
	}
	if best == "" {
		return supported[0]
	}
	return best
}

// needsDocument reports whether the rung has the document and selfie steps.
func needsDocument(rung string) bool { return rank(rung) >= rank(RungDocumentReview) }

// needsChip reports whether the rung has the chip step.
func needsChip(rung string) bool { return rank(rung) >= rank(RungChip) }
