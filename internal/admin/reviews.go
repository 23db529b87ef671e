package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// ReviewSummary is a verification waiting for a reviewer.
type ReviewSummary struct {
	ID           string    `json:"id"`
	Status       string    `json:"status"` // review, approved, rejected, started, expired
	Rung         string    `json:"rung"`
	ClaimedEmail string    `json:"claimed_email,omitempty"`
	Reasons      []string  `json:"reasons"` // why it needs a person
	CreatedAt    time.Time `json:"created_at"`
	ExpiresAt    time.Time `json:"expires_at,omitzero"`
}

// ReviewView is one verification as a reviewer decides it, in text: the
// checks that passed and failed, the face match, the evidence kept. No
// images, document numbers or dates of birth: the review UI shows those
// to a reviewer signed in through the gateway.
type ReviewView struct {
	ReviewSummary
	Steps    []string        `json:"steps"` // the steps completed, in order
	Passed   []string        `json:"checks_passed"`
	Failed   []string        `json:"checks_failed"`
	Face     *FaceMatchView  `json:"face_match,omitempty"`
	Document *DocumentView   `json:"document,omitempty"`
	Evidence []EvidenceMeta  `json:"evidence"`
	Decision *ReviewDecision `json:"decision,omitempty"`
}

// FaceMatchView is the automated comparison of the selfie with a portrait.
type FaceMatchView struct {
	Reference string  `json:"reference,omitempty"` // chip-portrait or document-front
	Distance  float32 `json:"distance"`
	Threshold float32 `json:"threshold"`
	Decision  string  `json:"decision,omitempty"` // match, borderline, no-match
}

// DocumentView is what the document step established, without its number.
type DocumentView struct {
	Type         string `json:"type"` // passport or id-card
	IssuingState string `json:"issuing_state"`
	Expiry       string `json:"expiry"`
	Expired      bool   `json:"expired"`
	NameCompared bool   `json:"name_compared"`
	NameMatches  bool   `json:"name_matches"`
	Corrected    bool   `json:"mrz_corrected"`
	ChipRead     bool   `json:"chip_read"`
	ActiveAuth   string `json:"chip_active_auth,omitempty"`
}

// EvidenceMeta is one stored evidence record's metadata.
type EvidenceMeta struct {
	ID          string    `json:"id"` // for GET /reviews/{id}/evidence/{eid}
	Kind        string    `json:"kind"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
	DeleteAfter time.Time `json:"delete_after"`
	// Image: a JPEG or PNG, which GET /reviews/{id}/evidence/{eid}
	// serves; other evidence (the chip's data) stays sealed.
	Image bool `json:"image"`
}

// ReviewDecision is the reviewer's decision, once made.
type ReviewDecision struct {
	Reviewer string    `json:"reviewer"`
	Note     string    `json:"note,omitempty"`
	At       time.Time `json:"at"`
}

// EvidenceImage is one evidence image, decrypted: a document photo, a
// selfie or a chip portrait. It identifies a person; it is never cached
// or logged.
type EvidenceImage struct {
	ContentType string // image/jpeg or image/png
	Data        []byte
}

// ErrNotImage: the evidence is not an image that may be shown (only JPEG
// and PNG are); the API answers 415.
var ErrNotImage = errors.New("not an image")

// ReviewService is the built-in verifier's review queue. Approve and
// Reject fail with ErrConflict for a verification not waiting for review.
type ReviewService interface {
	Reviews(ctx context.Context, limit int) ([]ReviewSummary, error)
	Review(ctx context.Context, id string) (ReviewView, error)
	Approve(ctx context.Context, id, by, note string) (ReviewView, error)
	Reject(ctx context.Context, id, by, reason string) (ReviewView, error)
	// Evidence returns one evidence image of verification id for the
	// reviewer by, and audits the view. Evidence of another verification
	// is ErrNotFound, so that an ID in a link cannot be bent to a record
	// the reviewer was not shown; anything but JPEG or PNG is ErrNotImage.
	Evidence(ctx context.Context, id, evidenceID, by string) (EvidenceImage, error)
}

// Bounds of GET /reviews.
const (
	DefaultReviewLimit = 200
	MaxReviewLimit     = 1000
)

func (a *API) reviewSvc() (ReviewService, error) {
	if a.reviews == nil {
		return nil, fmt.Errorf("%w: no built-in verifier runs in this process (idv is not configured), so there is no review queue here", ErrNotFound)
	}
	return a.reviews, nil
}

func (a *API) listReviews(_ http.ResponseWriter, r *http.Request) (any, error) {
	rs, err := a.reviewSvc()
	if err != nil {
		return nil, err
	}
	limit, err := limitParam(r, DefaultReviewLimit, MaxReviewLimit)
	if err != nil {
		return nil, err
	}
	out, err := rs.Reviews(r.Context(), limit)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []ReviewSummary{}
	}
	return map[string]any{"reviews": out}, nil
}

func (a *API) showReview(_ http.ResponseWriter, r *http.Request) (any, error) {
	rs, err := a.reviewSvc()
	if err != nil {
		return nil, err
	}
	return rs.Review(r.Context(), r.PathValue("id"))
}

// rawImage is an answer written as is, not as JSON (handle).
type rawImage EvidenceImage

// evidenceCSP keeps an image opened on its own from running anything: an
// SVG or HTML body would be inert even if one got past the type check.
const evidenceCSP = "default-src 'none'; sandbox"

func (a *API) reviewEvidence(_ http.ResponseWriter, r *http.Request) (any, error) {
	rs, err := a.reviewSvc()
	if err != nil {
		return nil, err
	}
	img, err := rs.Evidence(r.Context(), r.PathValue("id"), r.PathValue("eid"), actor(r))
	if err != nil {
		return nil, err
	}
	return (*rawImage)(&img), nil
}

// writeImage sends an evidence image to be saved, not shown: never
// cached, never sniffed, sandboxed.
func writeImage(w http.ResponseWriter, img *rawImage) error {
	h := w.Header()
	h.Set("Content-Type", img.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(img.Data)))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", evidenceCSP)
	h.Set("Content-Disposition", "attachment")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(img.Data)
	return err
}

func (a *API) decideReview(approve bool) func(http.ResponseWriter, *http.Request) (any, error) {
	return func(_ http.ResponseWriter, r *http.Request) (any, error) {
		rs, err := a.reviewSvc()
		if err != nil {
			return nil, err
		}
		var body struct {
			Reason string `json:"reason"`
		}
		// An approval's note is optional, and so is its body.
		if err := decode(r, &body); err != nil && !(approve && errors.Is(err, io.EOF)) {
			return nil, err
		}
		if err := checkReason(body.Reason); err != nil {
			return nil, err
		}
		if approve {
			return rs.Approve(r.Context(), r.PathValue("id"), actor(r), body.Reason)
		}
		if body.Reason == "" {
			return nil, fmt.Errorf("%w: say why the verification is rejected (reason); the person is told", ErrInvalid)
		}
		return rs.Reject(r.Context(), r.PathValue("id"), actor(r), body.Reason)
	}
}
