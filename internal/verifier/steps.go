package verifier

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/mrz"
)

// maxSteps bounds the stored steps JSON; a real one is well under 4 KiB.
const maxSteps = 64 << 10

// Reasons a verification goes to review or is refused.
const (
	ReasonManualReview    = "manual-review-required"
	ReasonNameNotCompared = "name-not-compared"
	ReasonNameMismatch    = "name-mismatch"
	ReasonDocumentExpired = "document-expired"
)

// steps is Verification.Steps: what each step established.
type steps struct {
	// EmailPending is the address the live code was sent to.
	EmailPending string        `json:"email_pending,omitempty"`
	Email        *emailStep    `json:"email,omitempty"`
	Document     *documentStep `json:"document,omitempty"`
	Chip         *chipStep     `json:"chip,omitempty"`
	Selfie       *selfieStep   `json:"selfie,omitempty"`
	Face         *faceStep     `json:"face,omitempty"`
	Liveness     *livenessStep `json:"liveness,omitempty"`
	Capture      *captureStep  `json:"capture,omitempty"`
	// FinishedAt is when the person finished the last step: auth_time.
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

type emailStep struct {
	Address    string    `json:"address"`
	VerifiedAt time.Time `json:"verified_at"`
}

// documentStep holds the document image's evidence and, once valid, its
// MRZ fields. OCRText is kept only while a correction is pending.
type documentStep struct {
	EvidenceID string     `json:"evidence_id"`
	OCRText    string     `json:"ocr_text,omitempty"`
	Fields     *docFields `json:"fields,omitempty"`
	CheckedAt  time.Time  `json:"checked_at,omitzero"`
	// Corrected records that the person edited the OCR's reading of the
	// MRZ (within the allowed distance), for the reviewer to see.
	Corrected bool `json:"corrected"`
}

type docFields struct {
	Code         string   `json:"code"`
	IssuingState string   `json:"issuing_state"`
	Number       string   `json:"number"`
	Surname      string   `json:"surname"`
	GivenNames   []string `json:"given_names,omitempty"`
	Nationality  string   `json:"nationality"`
	BirthDate    string   `json:"birth_date,omitempty"` // YYYY-MM-DD; empty when unknown or partial
	Expiry       string   `json:"expiry"`               // YYYY-MM-DD
	Sex          string   `json:"sex"`
}

type selfieStep struct {
	EvidenceID string    `json:"evidence_id"`
	At         time.Time `json:"at"`
}

// decodeSteps reads Verification.Steps; empty is no step done.
func decodeSteps(b []byte) (steps, error) {
	var s steps
	if len(b) == 0 {
		return s, nil
	}
	if len(b) > maxSteps {
		return steps{}, fmt.Errorf("verifier: steps record of %d bytes", len(b))
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return steps{}, fmt.Errorf("verifier: steps record: %w", err)
	}
	return s, nil
}

func (s steps) encode() ([]byte, error) { return json.Marshal(s) }

// fieldsOf copies what the verifier keeps of a parsed MRZ.
func fieldsOf(d *mrz.Document) *docFields {
	f := &docFields{
		Code: d.DocumentCode, IssuingState: d.IssuingState, Number: d.DocumentNumber,
		Surname: d.Surname, GivenNames: append([]string(nil), d.GivenNames...),
		Nationality: d.Nationality, Expiry: d.ExpiryDate.String(), Sex: d.Sex,
	}
	if !d.BirthDate.Unknown() {
		f.BirthDate = d.BirthDate.String()
	}
	return f
}
