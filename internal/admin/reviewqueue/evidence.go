package reviewqueue

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/audit"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/verifier"
	"github.com/vigil-gw/vigil/internal/verifier/review"
)

// Evidence returns one image of verification id, decrypted, and audits
// that by saw it. The evidence must be listed under id: a link cannot be
// bent to another verification's evidence by changing its last part.
func (q *Queue) Evidence(ctx context.Context, id, evidenceID, by string) (admin.EvidenceImage, error) {
	gone := fmt.Errorf("%w: verification %q has no evidence %q, or it was deleted after its retention period", admin.ErrNotFound, id, evidenceID)
	if !review.ValidID(id) || !review.ValidID(evidenceID) {
		return admin.EvidenceImage{}, fmt.Errorf("%w: no such verification or evidence", admin.ErrNotFound)
	}
	if by == "" {
		return admin.EvidenceImage{}, errors.New("reviewqueue: evidence: the reviewer is required")
	}
	evs, err := q.db.ListEvidence(ctx, id)
	if err != nil {
		return admin.EvidenceImage{}, err
	}
	var meta *store.Evidence
	for i := range evs {
		if evs[i].ID == evidenceID {
			meta = &evs[i]
		}
	}
	if meta == nil {
		return admin.EvidenceImage{}, gone
	}
	// Refused on the record's type before anything is decrypted.
	if !verifier.IsImage(meta.ContentType) {
		return admin.EvidenceImage{}, fmt.Errorf("%w: evidence %q is %s; only JPEG and PNG images are shown", admin.ErrNotImage, evidenceID, meta.ContentType)
	}
	ct, data, err := q.v.Evidence(ctx, evidenceID)
	if errors.Is(err, store.ErrNotFound) {
		return admin.EvidenceImage{}, gone
	}
	if err != nil {
		return admin.EvidenceImage{}, err
	}
	if !verifier.IsImage(ct) {
		return admin.EvidenceImage{}, fmt.Errorf("%w: evidence %q is %s; only JPEG and PNG images are shown", admin.ErrNotImage, evidenceID, ct)
	}
	// The record names the evidence, never its content or the person.
	q.audit.Write(&audit.Record{Time: q.clock(), Kind: "review", Decision: "evidence-viewed", Actor: by, Verification: id,
		Reasons: []string{"evidence:" + evidenceID, "kind:" + meta.Kind}})
	return admin.EvidenceImage{ContentType: ct, Data: data}, nil
}
