package review

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/personname"
)

// maxSteps bounds the steps JSON read; the verifier's are well under 4 KiB.
const maxSteps = 64 << 10

// Steps is the reviewer's read-only view of store.Verification.Steps, the
// JSON the verifier writes (internal/verifier/steps.go). The verifier's
// types are unexported, so this mirrors their JSON names; unknown fields
// are ignored so that the verifier can add steps without breaking review.
type Steps struct {
	Email      *EmailStep    `json:"email,omitempty"`
	Document   *DocumentStep `json:"document,omitempty"`
	Chip       *ChipStep     `json:"chip,omitempty"`
	Selfie     *SelfieStep   `json:"selfie,omitempty"`
	Face       *FaceStep     `json:"face,omitempty"`
	Liveness   *LivenessStep `json:"liveness,omitempty"`
	FinishedAt time.Time     `json:"finished_at,omitzero"`
}

// EmailStep is the verified work email.
type EmailStep struct {
	Address    string    `json:"address"`
	VerifiedAt time.Time `json:"verified_at"`
}

// DocumentStep is the document image and, once its MRZ was valid, the
// fields read from it. OCRText is set only while a correction is pending.
// Corrected is nil when the verifier did not record whether the person
// typed corrections to the scanned MRZ.
type DocumentStep struct {
	EvidenceID string          `json:"evidence_id"`
	OCRText    string          `json:"ocr_text,omitempty"`
	Fields     *DocumentFields `json:"fields,omitempty"`
	CheckedAt  time.Time       `json:"checked_at,omitzero"`
	Corrected  *bool           `json:"corrected,omitempty"`
}

// DocumentFields are the MRZ fields the verifier keeps. Dates are
// YYYY-MM-DD; BirthDate is empty when unknown.
type DocumentFields struct {
	Code         string   `json:"code"`
	IssuingState string   `json:"issuing_state"`
	Number       string   `json:"number"`
	Surname      string   `json:"surname"`
	GivenNames   []string `json:"given_names,omitempty"`
	Nationality  string   `json:"nationality"`
	BirthDate    string   `json:"birth_date,omitempty"`
	Expiry       string   `json:"expiry"`
	Sex          string   `json:"sex"`
}

// ChipStep is the document chip's reading once accepted: passive
// authentication chained to CSCA, DG1 equal to the photographed MRZ, and
// the active authentication outcome ("passed", or "not-supported" for a
// chip without an AA key). Fields is nil until a reading was accepted;
// Attempts counts refused readings.
type ChipStep struct {
	EvidenceID string          `json:"evidence_id,omitempty"`
	PortraitID string          `json:"portrait_id,omitempty"`
	Fields     *DocumentFields `json:"fields,omitempty"`
	ActiveAuth string          `json:"active_auth,omitempty"`
	DSCountry  string          `json:"ds_country,omitempty"`
	CSCA       string          `json:"csca,omitempty"`
	CheckedAt  time.Time       `json:"checked_at,omitzero"`
	Attempts   int             `json:"attempts,omitempty"`
}

// FaceStep is the automated comparison of the selfie with a portrait:
// Reference is "chip-portrait" or "document-front", empty when no portrait
// had a usable face. Decision is match, borderline or no-match.
type FaceStep struct {
	Reference string  `json:"reference,omitempty"`
	Distance  float32 `json:"distance"`
	Threshold float32 `json:"threshold"`
	Margin    float32 `json:"margin"`
	Decision  string  `json:"decision,omitempty"`
}

// LivenessStep is the prompted burst's outcome (internal/evidence/liveness
// Result): whether it passed, why not, and per prompt the movement seen.
type LivenessStep struct {
	Attempts int `json:"attempts,omitempty"`
	Result   *struct {
		Passed  bool     `json:"passed"`
		Reasons []string `json:"reasons,omitempty"`
		Frames  int      `json:"frames"`
		Spread  float32  `json:"spread"`
		Prompts []struct {
			Prompt   string  `json:"prompt"`
			Passed   bool    `json:"passed"`
			Measured float64 `json:"measured"`
			Required float64 `json:"required"`
		} `json:"prompts,omitempty"`
	} `json:"result,omitempty"`
}

// SelfieStep is the selfie's evidence.
type SelfieStep struct {
	EvidenceID string    `json:"evidence_id"`
	At         time.Time `json:"at"`
}

// ParseSteps reads a verification's steps; empty is no step done.
func ParseSteps(b []byte) (Steps, error) {
	var s Steps
	if len(b) == 0 {
		return s, nil
	}
	if len(b) > maxSteps {
		return Steps{}, fmt.Errorf("review: steps record of %d bytes", len(b))
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return Steps{}, fmt.Errorf("review: steps record: %w", err)
	}
	return s, nil
}

// FullName is the document's name as a person reads it: given names,
// then surname.
func (f *DocumentFields) FullName() string {
	return strings.TrimSpace(strings.Join(append(append([]string(nil), f.GivenNames...), f.Surname), " "))
}

// ExpiryDate parses Expiry.
func (f *DocumentFields) ExpiryDate() (time.Time, error) {
	if f.Expiry == "" {
		return time.Time{}, errors.New("review: document has no expiry")
	}
	return time.Parse(time.DateOnly, f.Expiry)
}

// NamesMatch compares a claimed name with the document's as the MRZ
// writes names (internal/personname: ICAO 9303 transliteration, word
// order ignored). It is a hint for the reviewer, who decides; the admin
// API's review summary shows it too.
func NamesMatch(claimed string, f *DocumentFields) bool {
	return personname.Match(claimed, f.Surname, f.GivenNames)
}
