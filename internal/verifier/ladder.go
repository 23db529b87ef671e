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
)

// Ladder is the supported rungs, lowest first.
var Ladder = []string{RungEmail, RungDocumentReview}

// amrOTP is the method of every rung: the email one-time code (RFC 8176).
const amrOTP = "otp"

// rank returns the position of acr on the ladder, or -1.
func rank(acr string) int { return slices.Index(Ladder, acr) }

// pickRung returns the highest requested rung the ladder has, else the
// lowest rung.
func pickRung(requested []string) string {
	best := -1
	for _, a := range requested {
		best = max(best, rank(a))
	}
	if best < 0 {
		return Ladder[0]
	}
	return Ladder[best]
}

// needsDocument reports whether the rung has the document and selfie steps.
func needsDocument(rung string) bool { return rank(rung) >= rank(RungDocumentReview) }
