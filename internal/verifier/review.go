package verifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/ida"
	"github.com/vigil-gw/vigil/internal/store"
)

// ErrNotInReview is returned by Approve and Reject for a verification that
// is not waiting for a reviewer.
var ErrNotInReview = errors.New("verifier: verification is not waiting for review")

// ErrOwnVerification is returned by Approve and Reject when the reviewer is
// the person the verification is for: another reviewer must decide it,
// whichever way the decision comes (review UI, console, admin API).
var ErrOwnVerification = errors.New("verifier: a verification of the reviewer's own identity; another reviewer must decide it")

// ownVerification reports whether reviewer names the account rec is for.
// Reviewers are recorded as an email, or an entry point and an email
// ("console:ada@example.com"): what follows the last colon is compared
// with the claimed email, case folded.
func ownVerification(rec *store.Verification, reviewer string) bool {
	who := reviewer[strings.LastIndexByte(reviewer, ':')+1:]
	return rec.ClaimedEmail != "" && strings.EqualFold(who, rec.ClaimedEmail)
}

// Queue returns up to limit verifications waiting for review, oldest first.
func (v *Verifier) Queue(ctx context.Context, limit int) ([]store.Verification, error) {
	return v.db.ListVerifications(ctx, store.VerificationReview, limit)
}

// Approve verifies the person: it keeps (or creates) their persistent
// subject, issues the verified_claims and marks the verification approved.
// The waiting page then completes the auth request.
func (v *Verifier) Approve(ctx context.Context, id, reviewer, note string) error {
	if reviewer == "" {
		return errors.New("verifier: approve: reviewer is required")
	}
	_, err := v.mutate(ctx, id, func(rec *store.Verification, s *steps) error {
		if rec.Status != store.VerificationReview {
			return ErrNotInReview
		}
		if ownVerification(rec, reviewer) {
			return ErrOwnVerification
		}
		return v.approve(ctx, rec, s, reviewer, note)
	})
	return err
}

// approve marks rec approved and stores the person; rec must be complete.
func (v *Verifier) approve(ctx context.Context, rec *store.Verification, s *steps, reviewer, note string) error {
	if s.Document == nil || s.Document.Fields == nil || s.Selfie == nil ||
		(needsChip(rec.Rung) && !s.Chip.accepted()) {
		return fmt.Errorf("verifier: approve %s: steps incomplete", rec.ID)
	}
	now := v.cfg.Clock()
	p, err := v.person(rec, s.Document, s.Chip, reviewer == AutomatedReviewer, now)
	if err != nil {
		return err
	}
	if p.Face, err = v.personFace(rec, s, p.DocumentKey); err != nil {
		return err
	}
	if err := v.db.UpsertPersonByDocument(ctx, p); err != nil {
		return fmt.Errorf("verifier: upsert person: %w", err)
	}
	rec.Status, rec.PersonSubject = store.VerificationApproved, p.Subject
	rec.Reviewer, rec.ReviewNote, rec.ReviewedAt = reviewer, note, now
	return nil
}

// Reject ends the verification; the waiting page tells the person and the
// relying party gets access_denied.
func (v *Verifier) Reject(ctx context.Context, id, reviewer, reason string) error {
	if reviewer == "" || reason == "" {
		return errors.New("verifier: reject: reviewer and reason are required")
	}
	_, err := v.mutate(ctx, id, func(rec *store.Verification, _ *steps) error {
		if rec.Status != store.VerificationReview {
			return ErrNotInReview
		}
		if ownVerification(rec, reviewer) {
			return ErrOwnVerification
		}
		rec.Status, rec.Reviewer, rec.ReviewNote, rec.ReviewedAt = store.VerificationRejected, reviewer, reason, v.cfg.Clock()
		rec.Reasons = append(rec.Reasons, reason)
		return nil
	})
	return err
}

// Evidence returns an evidence image, unsealed, for a reviewer.
func (v *Verifier) Evidence(ctx context.Context, evidenceID string) (contentType string, data []byte, err error) {
	e, err := v.db.GetEvidence(ctx, evidenceID)
	if err != nil {
		return "", nil, err
	}
	data, err = v.vault.Open(e.ID, e.Kind, e.Sealed)
	if err != nil {
		return "", nil, err
	}
	return e.ContentType, data, nil
}

// person builds the Person record and its verified_claims from the
// document step, or from the chip when it was read: DG1 is signed by the
// issuing state, the photographed MRZ only matched it.
func (v *Verifier) person(rec *store.Verification, ds *documentStep, chip *chipStep, automated bool, now time.Time) (*store.Person, error) {
	f := ds.Fields
	checks := []ida.CheckDetail{ida.NewCheck(ida.CheckVRI, v.cfg.Organization, ds.EvidenceID, ds.CheckedAt)}
	if chip.accepted() {
		f = chip.Fields
		checks = append([]ida.CheckDetail{ida.NewCheck(ida.CheckVCrypt, v.cfg.Organization, chip.EvidenceID, chip.CheckedAt)}, checks...)
	}
	// The person was compared with the portrait by a reviewer (pvr), or by
	// the face match after liveness when decided automatically (bvr).
	compared := ida.CheckPVR
	if automated {
		compared = ida.CheckBVR
	}
	checks = append(checks, ida.NewCheck(compared, v.cfg.Organization, rec.ID, now))
	id, err := v.newID()
	if err != nil {
		return nil, err
	}
	country := countryCode(f.IssuingState)
	nationality := countryCode(f.Nationality)
	expiry, err := ida.ParseDate(f.Expiry)
	if err != nil {
		return nil, fmt.Errorf("verifier: document expiry: %w", err)
	}
	docType := ida.DocumentIDCard
	if strings.HasPrefix(f.Code, "P") {
		docType = ida.DocumentPassport
	}
	claims := ida.Claims{FamilyName: f.Surname, GivenName: strings.Join(f.GivenNames, " "), Nationalities: []string{nationality}}
	if f.BirthDate != "" {
		if claims.Birthdate, err = ida.ParseDate(f.BirthDate); err != nil {
			return nil, fmt.Errorf("verifier: birth date: %w", err)
		}
	}
	vc, err := ida.NewBuilder(ida.TrustFrameworkNIST80063A, ida.IAL2, now).
		Process(rec.ID).
		Evidence(ida.NewDocumentEvidence(
			ida.DocumentDetails{Type: docType, DocumentNumber: f.Number, DateOfExpiry: expiry, Issuer: &ida.Issuer{CountryCode: country}},
			checks...,
		)).
		Build(claims)
	if err != nil {
		return nil, fmt.Errorf("verifier: build verified_claims: %w", err)
	}
	raw, err := json.Marshal(vc)
	if err != nil {
		return nil, err
	}
	return &store.Person{
		Subject:     "p-" + id,
		DocumentKey: keyedHash(v.docKey, f.IssuingState, f.Number),
		GivenName:   claims.GivenName, FamilyName: f.Surname, BirthDate: f.BirthDate,
		Nationalities: claims.Nationalities, ACR: rec.Rung, VerifiedClaims: raw,
		VerifiedAt: now, CreatedAt: now, UpdatedAt: now,
	}, nil
}

// countryCode turns an MRZ state code into an ISO 3166-1 code: MRZ codes
// are alpha-3 except Germany's "D".
func countryCode(mrzCode string) string {
	if mrzCode == "D" {
		return "DEU"
	}
	return mrzCode
}

// Purge deletes evidence past its retention, expires verifications that
// were not finished in time, and drops stale one-time-code records.
func (v *Verifier) Purge(ctx context.Context) error {
	now := v.cfg.Clock()
	_, err1 := v.db.DeleteEvidenceBefore(ctx, now)
	_, err2 := v.db.ExpireVerifications(ctx, now)
	// Code state matters for at most a day (send windows, lockouts).
	_, err3 := v.db.PurgeOTP(ctx, now.Add(-24*time.Hour))
	return errors.Join(err1, err2, err3)
}

// purgeEvery is how often Run purges: retention is counted in days.
const purgeEvery = time.Hour

// Run calls Purge now and then hourly until ctx ends.
func (v *Verifier) Run(ctx context.Context) error {
	t := time.NewTicker(purgeEvery)
	defer t.Stop()
	for {
		if err := v.Purge(ctx); err != nil && ctx.Err() == nil {
			v.cfg.Logger.ErrorContext(ctx, "verifier: purge failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
