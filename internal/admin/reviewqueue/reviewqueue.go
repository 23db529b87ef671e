// Package reviewqueue serves the built-in verifier's review queue to the
// admin API and the console (admin.ReviewService): list, read as text,
// show one evidence image, approve, reject. The decisions are the
// verifier's own (Approve, Reject); this package reads, summarises and
// audits each image viewed and each decision. It must never return
// document numbers or dates of birth, never an image of another
// verification than the one asked for, and never put names, document
// numbers or image bytes in an audit record.
package reviewqueue

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/audit"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/verifier"
	"github.com/vigil-gw/vigil/internal/verifier/review"
)

// Verifier is the verifier's reviewer operations (*verifier.Verifier).
type Verifier interface {
	Queue(ctx context.Context, limit int) ([]store.Verification, error)
	Approve(ctx context.Context, id, reviewer, note string) error
	Reject(ctx context.Context, id, reviewer, reason string) error
	// Evidence decrypts one evidence record.
	Evidence(ctx context.Context, evidenceID string) (contentType string, data []byte, err error)
}

var _ Verifier = (*verifier.Verifier)(nil)

// Store reads verification records and evidence metadata.
type Store interface {
	GetVerification(ctx context.Context, id string) (*store.Verification, error)
	ListEvidence(ctx context.Context, verificationID string) ([]store.Evidence, error)
}

// AuditWriter records what reviewers saw and decided (*audit.Log).
type AuditWriter interface {
	Write(r *audit.Record)
}

var _ AuditWriter = (*audit.Log)(nil)

// Queue is the admin.ReviewService of one verifier.
type Queue struct {
	v     Verifier
	db    Store
	clock func() time.Time
	audit AuditWriter
}

var _ admin.ReviewService = (*Queue)(nil)

// New returns the queue; clock nil is time.Now, aw nil discards the audit
// records.
func New(v Verifier, db Store, clock func() time.Time, aw AuditWriter) *Queue {
	if clock == nil {
		clock = time.Now
	}
	if aw == nil {
		aw = discard{}
	}
	return &Queue{v: v, db: db, clock: clock, audit: aw}
}

type discard struct{}

func (discard) Write(*audit.Record) {}

// Reviews lists verifications waiting for review, oldest first.
func (q *Queue) Reviews(ctx context.Context, limit int) ([]admin.ReviewSummary, error) {
	recs, err := q.v.Queue(ctx, limit)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(recs, func(a, b store.Verification) int { return a.CreatedAt.Compare(b.CreatedAt) })
	out := make([]admin.ReviewSummary, 0, len(recs))
	for i := range recs {
		out = append(out, summary(&recs[i]))
	}
	return out, nil
}

func summary(v *store.Verification) admin.ReviewSummary {
	rs := slices.Clone(v.Reasons)
	if rs == nil {
		rs = []string{}
	}
	return admin.ReviewSummary{ID: v.ID, Status: v.Status, Rung: v.Rung, ClaimedEmail: v.ClaimedEmail,
		Reasons: rs, CreatedAt: v.CreatedAt, ExpiresAt: v.ExpiresAt}
}

// Review reads one verification, whatever its status.
func (q *Queue) Review(ctx context.Context, id string) (admin.ReviewView, error) {
	if !review.ValidID(id) {
		return admin.ReviewView{}, fmt.Errorf("%w: no verification %q", admin.ErrNotFound, id)
	}
	rec, err := q.db.GetVerification(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return admin.ReviewView{}, fmt.Errorf("%w: no verification %q", admin.ErrNotFound, id)
	}
	if err != nil {
		return admin.ReviewView{}, err
	}
	st, err := review.ParseSteps(rec.Steps)
	if err != nil {
		return admin.ReviewView{}, err
	}
	evs, err := q.db.ListEvidence(ctx, rec.ID)
	if err != nil {
		return admin.ReviewView{}, err
	}
	v := admin.ReviewView{ReviewSummary: summary(rec), Steps: []string{}, Passed: []string{}, Failed: []string{},
		Evidence: []admin.EvidenceMeta{}}
	for _, e := range evs {
		v.Evidence = append(v.Evidence, admin.EvidenceMeta{ID: e.ID, Kind: e.Kind, ContentType: e.ContentType, Size: e.Size, Image: verifier.IsImage(e.ContentType),
			CreatedAt: e.CreatedAt, DeleteAfter: e.DeleteAfter})
	}
	check := func(ok bool, name string) {
		if ok {
			v.Passed = append(v.Passed, name)
		} else {
			v.Failed = append(v.Failed, name)
		}
	}
	if st.Email != nil {
		v.Steps = append(v.Steps, "email")
		check(true, "work email confirmed by code")
	}
	if d := st.Document; d != nil {
		v.Steps = append(v.Steps, "document")
		check(d.Fields != nil, "document MRZ read and its check digits valid")
		if f := d.Fields; f != nil {
			dv := &admin.DocumentView{Type: "id-card", IssuingState: f.IssuingState, Expiry: f.Expiry,
				Corrected: d.Corrected != nil && *d.Corrected}
			if strings.HasPrefix(f.Code, "P") {
				dv.Type = "passport"
			}
			if exp, err := f.ExpiryDate(); err == nil {
				// Valid through its expiry day.
				dv.Expired = !q.clock().Before(exp.AddDate(0, 0, 1))
				check(!dv.Expired, "document not expired")
			}
			if rec.ClaimedName != "" && f.FullName() != "" {
				dv.NameCompared = true
				dv.NameMatches = review.NamesMatch(rec.ClaimedName, f)
				check(dv.NameMatches, "name on the document matches the claimed name")
			}
			if c := st.Chip; c != nil && c.Fields != nil {
				dv.ChipRead, dv.ActiveAuth = true, c.ActiveAuth
			}
			v.Document = dv
		}
	}
	if c := st.Chip; c != nil {
		v.Steps = append(v.Steps, "chip")
		check(c.Fields != nil, "chip read: passive authentication and DG1 equal to the MRZ")
		if c.Fields != nil && c.ActiveAuth != "" {
			check(c.ActiveAuth == "passed" || c.ActiveAuth == "not-supported", "chip active authentication ("+c.ActiveAuth+")")
		}
	}
	if st.Selfie != nil {
		v.Steps = append(v.Steps, "selfie")
	}
	if f := st.Face; f != nil {
		v.Steps = append(v.Steps, "face-match")
		v.Face = &admin.FaceMatchView{Reference: f.Reference, Distance: f.Distance, Threshold: f.Threshold, Decision: f.Decision}
		check(f.Decision == "match", "face matches the portrait ("+cmp.Or(f.Decision, "no usable portrait")+")")
	}
	if l := st.Liveness; l != nil {
		v.Steps = append(v.Steps, "liveness")
		if l.Result != nil {
			name := "liveness"
			if !l.Result.Passed && len(l.Result.Reasons) > 0 {
				name += " (" + strings.Join(l.Result.Reasons, ", ") + ")"
			}
			check(l.Result.Passed, name)
		}
	}
	if rec.Reviewer != "" {
		v.Decision = &admin.ReviewDecision{Reviewer: rec.Reviewer, Note: rec.ReviewNote, At: rec.ReviewedAt}
	}
	return v, nil
}

// Approve verifies the person, as a reviewer.
func (q *Queue) Approve(ctx context.Context, id, by, note string) (admin.ReviewView, error) {
	return q.decide(ctx, id, by, "approved", note, func() error { return q.v.Approve(ctx, id, by, note) })
}

// Reject ends the verification; the person is told reason.
func (q *Queue) Reject(ctx context.Context, id, by, reason string) (admin.ReviewView, error) {
	return q.decide(ctx, id, by, "rejected", reason, func() error { return q.v.Reject(ctx, id, by, reason) })
}

// decide runs fn on a verification waiting for review and audits the
// decision with the reviewer's note or reason, their own words.
func (q *Queue) decide(ctx context.Context, id, by, decision, why string, fn func() error) (admin.ReviewView, error) {
	// Read first: an unknown ID is a 404, not the verifier's error.
	cur, err := q.Review(ctx, id)
	if err != nil {
		return admin.ReviewView{}, err
	}
	if cur.Status != store.VerificationReview {
		return admin.ReviewView{}, fmt.Errorf("%w: verification %s is %s, not waiting for review", admin.ErrConflict, id, cur.Status)
	}
	if err := fn(); err != nil {
		if errors.Is(err, verifier.ErrNotInReview) {
			return admin.ReviewView{}, fmt.Errorf("%w: verification %s was decided meanwhile", admin.ErrConflict, id)
		}
		if errors.Is(err, verifier.ErrOwnVerification) {
			return admin.ReviewView{}, fmt.Errorf("%w: verification %s is of your own identity; another reviewer must decide it", admin.ErrConflict, id)
		}
		return admin.ReviewView{}, err
	}
	r := &audit.Record{Time: q.clock(), Kind: "review", Decision: decision, Actor: by, Verification: id}
	if why != "" {
		r.Reasons = []string{why}
	}
	q.audit.Write(r)
	return q.Review(ctx, id)
}
