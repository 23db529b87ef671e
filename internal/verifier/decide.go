package verifier

import (
	"context"

	"github.com/vigil-gw/vigil/internal/evidence/emrtd"
	"github.com/vigil-gw/vigil/internal/evidence/face"
	"github.com/vigil-gw/vigil/internal/store"
)

// AutomatedReviewer is Verification.Reviewer for decisions the verifier
// made itself.
const AutomatedReviewer = "vigil:automated"

// Automated decisions are made only on evidence a person could not judge
// better: the chip (signed by the issuing state, not a clone), a liveness
// burst that followed the prompts, and the face against the chip's
// portrait. A photographed document can be forged, so without the chip a
// person always decides.
const (
	noteAutoApproved = "approved automatically: chip passive and active authentication, liveness, and face match with the chip portrait with margin"
	noteAutoRejected = "rejected automatically: the live face clearly does not match the chip portrait"
)

// decide runs after a liveness burst sent rec to review: it approves when
// every check passed with margin, rejects a live face that clearly does
// not match the chip's portrait (mismatchOnly: liveness failed on that
// alone), and leaves everything else to a person. It reports what it did
// ("" for nothing).
func (v *Verifier) decide(ctx context.Context, rec *store.Verification, s *steps, mismatchOnly bool) (string, error) {
	if !v.cfg.AutoDecide || !needsChip(rec.Rung) || !s.Chip.accepted() || !(s.Liveness.passed() || mismatchOnly) ||
		s.Face == nil || s.Face.Reference != KindChipPortrait {
		return "", nil
	}
	switch {
	case mismatchOnly && s.Face.Decision == string(face.NoMatch):
		rec.Status, rec.Reviewer, rec.ReviewNote, rec.ReviewedAt = store.VerificationRejected, AutomatedReviewer, noteAutoRejected, v.cfg.Clock()
		rec.Reasons = append(rec.Reasons, ReasonFaceMismatch)
		return "rejected", nil
	case s.Liveness.passed() && s.Face.Decision == string(face.Match) && s.Face.Duplicate == "" && s.Chip.ActiveAuth == emrtd.AAPassed &&
		rec.ClaimedName != "" && sameName(rec.ClaimedName, s.Chip.Fields):
		if err := v.approve(ctx, rec, s, AutomatedReviewer, noteAutoApproved); err != nil {
			return "", err
		}
		return "approved", nil
	}
	return "", nil
}
