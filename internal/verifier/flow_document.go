package verifier

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/vigil-gw/vigil/internal/evidence/mrz"
	"github.com/vigil-gw/vigil/internal/evidence/ocr"
	"github.com/vigil-gw/vigil/internal/store"
)

// Evidence kinds.
const (
	KindDocument = "document-front"
	KindSelfie   = "selfie"
)

// maxCorrectionEdits is how far a typed MRZ may stray from what OCR read.
const maxCorrectionEdits = 3

var (
	errDocumentExpired = &userError{status: http.StatusUnprocessableEntity, title: "Document expired", msg: "This document has expired. Use a valid passport or identity card.", reason: ReasonDocumentExpired}
	errNoMRZ           = &userError{status: http.StatusUnprocessableEntity, title: "Photo not readable", msg: "The machine readable zone could not be read. Take a sharper photo of the whole page, flat, in good light.", reason: "mrz-unreadable"}
	errOCRBusy         = &userError{status: http.StatusServiceUnavailable, title: "Try again", msg: "The document could not be read right now. Try again in a moment.", reason: "ocr-unavailable"}
	errStepOrder       = &userError{status: http.StatusConflict, title: "Not yet", msg: "Finish the earlier steps first.", reason: "step-order"}
)

// documentOpen reports whether the document may be (re)photographed: once
// a chip reading matched it, the document is fixed.
func documentOpen(b *bound) bool {
	return b.rec.Status == store.VerificationStarted && b.steps.Email != nil &&
		needsDocument(b.rec.Rung) && !b.steps.Chip.accepted()
}

func (v *Verifier) documentPage(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	if !documentOpen(b) {
		return v.redirect(w, r, v.next(b))
	}
	return v.renderDocument(w, http.StatusOK, b, nil)
}

func (v *Verifier) renderDocument(w http.ResponseWriter, status int, b *bound, ue *userError) error {
	d := pageData{Page: "document", Title: "Photograph your document", ID: b.id, Step: 2, Steps: stepsFor(b.rec.Rung)}
	if ue != nil {
		d.Error, d.Reason = ue.msg, ue.reason
	}
	return v.pages.render(w, status, d)
}

// documentUpload checks the photo (size and type, then OCR and MRZ) before
// anything is stored: a refused photo leaves no trace.
func (v *Verifier) documentUpload(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	if !documentOpen(b) {
		return errStepOrder
	}
	data, ct, err := readUpload(w, r)
	var ue *userError
	if errors.As(err, &ue) {
		return v.renderDocument(w, ue.status, b, ue)
	}
	if err != nil {
		return err
	}
	res, err := v.cfg.OCR.ReadMRZ(r.Context(), data)
	var oe *ocr.Error
	switch {
	case errors.As(err, &oe) && oe.User:
		return v.renderDocument(w, http.StatusUnprocessableEntity, b, &userError{status: http.StatusUnprocessableEntity, msg: "The photo could not be used: " + oe.Message + ".", reason: oe.Code})
	case err != nil:
		v.cfg.Logger.WarnContext(r.Context(), "verifier: ocr failed", "verification", b.rec.ID, "error", err)
		return v.renderDocument(w, errOCRBusy.status, b, errOCRBusy)
	}
	text := strings.Join(res.Lines, "\n")
	now := v.cfg.Clock()
	doc, err := mrz.Parse(text, now)
	var ce *mrz.CheckError
	var fe *mrz.FormatError
	switch {
	// A check digit that fails, or lines of about the right length with a
	// character too many or too few (OCR engines add or drop one in long
	// filler runs, as in a passport without a personal number), are most
	// likely misreads: keep the image and let the person fix the text,
	// which must then be within a few edits and pass every check digit.
	case errors.As(err, &ce), errors.As(err, &fe) && len(res.Lines) >= 2:
		evID, err := v.putEvidence(r.Context(), b.rec, KindDocument, ct, data)
		if err != nil {
			return err
		}
		if _, err := v.mutate(r.Context(), b.rec.ID, func(_ *store.Verification, s *steps) error {
			s.Document = &documentStep{EvidenceID: evID, OCRText: text}
			return nil
		}); err != nil {
			return err
		}
		return v.renderCorrect(w, http.StatusOK, b, text, "")
	case err != nil:
		return v.renderDocument(w, errNoMRZ.status, b, errNoMRZ)
	case doc.Expired(now):
		return v.renderDocument(w, errDocumentExpired.status, b, errDocumentExpired)
	}
	evID, err := v.putEvidence(r.Context(), b.rec, KindDocument, ct, data)
	if err != nil {
		return err
	}
	return v.acceptDocument(w, r, b, &documentStep{EvidenceID: evID}, doc)
}

// acceptDocument records a valid, unexpired MRZ and shows what was read.
func (v *Verifier) acceptDocument(w http.ResponseWriter, r *http.Request, b *bound, ds *documentStep, doc *mrz.Document) error {
	ds.Fields, ds.OCRText, ds.CheckedAt = fieldsOf(doc), "", v.cfg.Clock()
	rec, err := v.mutate(r.Context(), b.rec.ID, func(_ *store.Verification, s *steps) error {
		s.Document = ds
		return nil
	})
	if err != nil {
		return err
	}
	nb, err := v.rebind(b, rec)
	if err != nil {
		return err
	}
	return v.pages.render(w, http.StatusOK, pageData{Page: "document-ok", Title: "Check your details", ID: nb.id, Step: 2, Steps: stepsFor(nb.rec.Rung), Fields: ds.Fields, Continue: v.next(nb)})
}

func (v *Verifier) renderCorrect(w http.ResponseWriter, status int, b *bound, text, msg string) error {
	return v.pages.render(w, status, pageData{Page: "correct", Title: "Fix the scanned text", ID: b.id, Step: 2, Steps: stepsFor(b.rec.Rung), OCRText: text, Error: msg})
}

// documentCorrect accepts a typed MRZ within a few edits of the OCR text.
func (v *Verifier) documentCorrect(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	ds := b.steps.Document
	if !documentOpen(b) || ds == nil || ds.OCRText == "" {
		return errStepOrder
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return errUploadBroken.with(err)
	}
	now := v.cfg.Clock()
	doc, err := mrz.AcceptCorrection(ds.OCRText, r.PostForm.Get("mrz"), maxCorrectionEdits, now)
	if err != nil {
		// mrz errors describe the text only (positions, check digits).
		return v.renderCorrect(w, http.StatusUnprocessableEntity, b, ds.OCRText, strings.TrimPrefix(err.Error(), "mrz: "))
	}
	if doc.Expired(now) {
		return v.renderDocument(w, errDocumentExpired.status, b, errDocumentExpired)
	}
	cp := *ds
	cp.Corrected = true
	return v.acceptDocument(w, r, b, &cp, doc)
}

// putEvidence seals data and stores it for review until the retention ends.
func (v *Verifier) putEvidence(ctx context.Context, rec *store.Verification, kind, contentType string, data []byte) (string, error) {
	id, err := v.newID()
	if err != nil {
		return "", err
	}
	sealed, err := v.vault.Seal(id, kind, data)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	now := v.cfg.Clock()
	err = v.db.PutEvidence(ctx, &store.Evidence{
		ID: id, VerificationID: rec.ID, Kind: kind, ContentType: contentType, Sealed: sealed,
		Size: len(data), SHA256: hex.EncodeToString(sum[:]), CreatedAt: now, DeleteAfter: now.Add(v.cfg.EvidenceRetention),
	})
	return id, err
}
