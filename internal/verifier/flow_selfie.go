package verifier

import (
	"errors"
	"net/http"

	"github.com/vigil-gw/vigil/internal/personname"
	"github.com/vigil-gw/vigil/internal/store"
)

func (v *Verifier) selfieReady(b *bound) bool {
	return b.rec.Status == store.VerificationStarted && needsDocument(b.rec.Rung) &&
		b.steps.Email != nil && b.steps.Document != nil && b.steps.Document.Fields != nil &&
		(!needsChip(b.rec.Rung) || b.steps.Chip.accepted())
}

func (v *Verifier) selfiePage(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	if !v.selfieReady(b) || b.steps.Selfie != nil {
		return v.redirect(w, r, v.next(b))
	}
	return v.renderSelfie(w, http.StatusOK, b, nil)
}

func (v *Verifier) renderSelfie(w http.ResponseWriter, status int, b *bound, ue *userError) error {
	d := pageData{Page: "selfie", Title: "Take a selfie", ID: b.id, Step: stepsFor(b.rec.Rung), Steps: stepsFor(b.rec.Rung),
		Liveness:     v.cfg.Faces != nil && (b.steps.Liveness == nil || b.steps.Liveness.Attempts < maxLivenessTries),
		CaptureBound: b.steps.Capture.bound()}
	if ue != nil {
		d.Error, d.Reason = ue.msg, ue.reason
	}
	return v.pages.render(w, status, d)
}

// selfieUpload stores the selfie and sends the verification to review: the
// person has finished the steps (auth_time).
func (v *Verifier) selfieUpload(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	if !v.selfieReady(b) || b.steps.Selfie != nil {
		return errStepOrder
	}
	data, ct, err := readUpload(w, r)
	var ue *userError
	if errors.As(err, &ue) {
		return v.renderSelfie(w, ue.status, b, ue)
	}
	if err != nil {
		return err
	}
	var fs *faceStep
	if v.cfg.Faces != nil {
		probe, err := v.describeSelfie(data)
		if errors.As(err, &ue) {
			return v.renderSelfie(w, ue.status, b, ue)
		}
		if err != nil {
			return err
		}
		if fs, err = v.compareFace(r.Context(), b.steps, probe); err != nil {
			return err
		}
		if err := v.withSelfie(r.Context(), fs, b.rec, probe, v.documentKey(b.steps)); err != nil {
			return err
		}
	}
	evID, err := v.putEvidence(r.Context(), b.rec, KindSelfie, ct, data)
	if err != nil {
		return err
	}
	now := v.cfg.Clock()
	if _, err := v.mutate(r.Context(), b.rec.ID, func(rec *store.Verification, s *steps) error {
		if rec.Status != store.VerificationStarted || s.Document == nil || s.Document.Fields == nil ||
			(needsChip(rec.Rung) && !s.Chip.accepted()) {
			return errStepOrder
		}
		s.Selfie = &selfieStep{EvidenceID: evID, At: now}
		s.Face = fs
		s.FinishedAt = now
		v.toReview(rec, s)
		return nil
	}); err != nil {
		return err
	}
	v.cfg.Logger.InfoContext(r.Context(), "verifier: verification sent to review", "verification", b.rec.ID)
	v.reportDuplicate(r.Context(), b.rec, fs)
	return v.redirect(w, r, v.op.Path("/status")+"?id="+b.id)
}

// toReview sends a finished verification to review with the reasons a
// reviewer should look at.
func (v *Verifier) toReview(rec *store.Verification, s *steps) {
	rec.Status = store.VerificationReview
	rec.Reasons = []string{ReasonManualReview}
	if r := s.Face.reason(); r != "" {
		rec.Reasons = append(rec.Reasons, r)
	}
	if s.Face != nil && s.Face.Duplicate != "" {
		rec.Reasons = append(rec.Reasons, ReasonDuplicateFace)
	}
	if v.cfg.Faces != nil && !s.Liveness.passed() {
		rec.Reasons = append(rec.Reasons, ReasonNoLiveness)
	}
	switch {
	case rec.ClaimedName == "":
		rec.Reasons = append(rec.Reasons, ReasonNameNotCompared)
	case !sameName(rec.ClaimedName, s.Document.Fields):
		rec.Reasons = append(rec.Reasons, ReasonNameMismatch)
	}
}

// sameAccountName reports whether an earlier approval may stand for rec:
// when rec names the account holder and needs a document, the approved
// document must carry that name. Otherwise a fresh verification goes to
// review (name-mismatch) rather than a silent reuse.
func (v *Verifier) sameAccountName(rec *store.Verification, prev steps) bool {
	if rec.ClaimedName == "" || !needsDocument(rec.Rung) {
		return true
	}
	return prev.Document != nil && prev.Document.Fields != nil && sameName(rec.ClaimedName, prev.Document.Fields)
}

// sameName compares a claimed name with the document's as the MRZ
// writes names (internal/personname: ICAO 9303 transliteration, word
// order ignored).
func sameName(claimed string, f *docFields) bool {
	return personname.Match(claimed, f.Surname, f.GivenNames)
}
