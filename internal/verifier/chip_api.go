package verifier

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/dg2"
	"github.com/vigil-gw/vigil/internal/evidence/emrtd"
	"github.com/vigil-gw/vigil/internal/store"
)

// The reader API (docs/chip-reader-api.md): JSON over HTTPS, authenticated
// by the pairing token as a bearer token. No cookies, so no CSRF exposure.

// maxChipUpload bounds an upload: DG2 portraits are 15-40 KB, the other
// files a few KB; base64 adds a third.
const maxChipUpload = 1 << 20

// chipUpload is the reader app's request body.
type chipUpload struct {
	COM        string            `json:"ef_com"`
	SOD        string            `json:"ef_sod"`
	DataGroups map[string]string `json:"data_groups"`
	AA         *struct {
		Challenge string `json:"challenge"`
		Signature string `json:"signature"`
	} `json:"active_authentication"`
}

// apiError is a reader API refusal; Code and Description are safe to show.
type apiError struct {
	status      int
	Code        string   `json:"error"`
	Description string   `json:"error_description"`
	Reasons     []string `json:"reasons,omitempty"`
}

func (e *apiError) Error() string { return e.Code }

var (
	errChipToken = &apiError{status: http.StatusUnauthorized, Code: "invalid_token",
		Description: "the pairing token is unknown or expired; open the verification page for a new one"}
	errChipState = &apiError{status: http.StatusConflict, Code: "wrong_step",
		Description: "this verification is not waiting for a chip reading"}
	errChipAttempts = &apiError{status: http.StatusTooManyRequests, Code: "too_many_attempts",
		Description: "too many refused chip readings; start a new verification"}
)

// chipAPI adapts a reader API handler: JSON errors, never an HTML page.
func (v *Verifier) chipAPI(h func(w http.ResponseWriter, r *http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		body, err := h(w, r)
		status := http.StatusOK
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				v.cfg.Logger.ErrorContext(r.Context(), "verifier: chip api failed", "path", r.URL.Path, "error", err)
				ae = &apiError{status: http.StatusInternalServerError, Code: "server_error", Description: "the reading could not be processed; try again"}
			} else {
				v.cfg.Logger.InfoContext(r.Context(), "verifier: chip api refused", "path", r.URL.Path, "error", ae.Code, "reasons", ae.Reasons)
			}
			status, body = ae.status, ae
			if ae.status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	})
}

// pairedVerification finds the verification a bearer token pairs with and
// checks that it is at the chip step.
func (v *Verifier) pairedVerification(ctx context.Context, r *http.Request) (*store.Verification, steps, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	id, _, okID := strings.Cut(token, ".")
	if !ok || !okID || id == "" || len(token) > 256 {
		return nil, steps{}, errChipToken
	}
	rec, err := v.db.GetVerification(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, steps{}, errChipToken
	}
	if err != nil {
		return nil, steps{}, err
	}
	s, err := decodeSteps(rec.Steps)
	if err != nil {
		return nil, steps{}, err
	}
	if !v.checkChipToken(token, rec, s.Chip, v.cfg.Clock()) {
		return nil, steps{}, errChipToken
	}
	if !chipReady(&bound{rec: rec, steps: s}) {
		return nil, steps{}, errChipState
	}
	if s.Chip.Attempts >= maxChipAttempts {
		return nil, steps{}, errChipAttempts
	}
	return rec, s, nil
}

// chipChallenge issues the Active Authentication challenge: 8 random bytes
// the chip must sign (INTERNAL AUTHENTICATE). A new one replaces the old.
func (v *Verifier) chipChallenge(_ http.ResponseWriter, r *http.Request) (any, error) {
	rec, _, err := v.pairedVerification(r.Context(), r)
	if err != nil {
		return nil, err
	}
	ch := make([]byte, 8)
	if _, err := io.ReadFull(v.cfg.Rand, ch); err != nil {
		return nil, err
	}
	now := v.cfg.Clock()
	if _, err := v.mutate(r.Context(), rec.ID, func(_ *store.Verification, s *steps) error {
		if s.Chip == nil {
			return errChipState
		}
		s.Chip.Challenge, s.Chip.ChallengeExpires = ch, now.Add(challengeLifetime)
		return nil
	}); err != nil {
		return nil, err
	}
	return map[string]any{"challenge": base64.StdEncoding.EncodeToString(ch), "expires_in": int(challengeLifetime.Seconds())}, nil
}

// chipReading is the decoded upload.
type chipReading struct {
	in        emrtd.Input
	challenge []byte
	// portrait is DG2's face as the reviewer's browser can show it.
	portrait     []byte
	portraitType string
}

// viewablePortrait returns the chip's face in a format browsers show:
// JPEG as it is, JPEG 2000 (which browsers do not render) decoded by
// internal/evidence/dg2 and re-encoded as PNG. The original stays in the
// chip-data evidence.
func (v *Verifier) viewablePortrait(ctx context.Context, f emrtd.Face) ([]byte, string, error) {
	if f.MIMEType == "image/jpeg" {
		return f.Image, f.MIMEType, nil
	}
	img, err := v.portraits.Decode(ctx, &dg2.Face{Image: f.Image, Width: f.Width, Height: f.Height})
	switch {
	case errors.Is(err, dg2.ErrDecoderMissing):
		return nil, "", fmt.Errorf("verifier: chip portrait: %w", err)
	case err != nil:
		return nil, "", &apiError{Reasons: []string{"dg2-malformed"}}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), "image/png", nil
}

func decodeChipUpload(w http.ResponseWriter, r *http.Request) (*chipReading, error) {
	bad := func(desc string) error {
		return &apiError{status: http.StatusBadRequest, Code: "invalid_request", Description: desc}
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return nil, &apiError{status: http.StatusUnsupportedMediaType, Code: "invalid_request", Description: "send application/json"}
	}
	var u chipUpload
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxChipUpload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&u); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &apiError{status: http.StatusRequestEntityTooLarge, Code: "invalid_request", Description: "the upload is larger than 1 MiB"}
		}
		return nil, bad("the body is not the documented JSON object")
	}
	b64 := func(name, s string) ([]byte, error) {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, bad(name + " is not standard base64")
		}
		return b, nil
	}
	out := &chipReading{in: emrtd.Input{DataGroups: map[int][]byte{}}}
	var err error
	if u.SOD == "" {
		return nil, bad("ef_sod is required")
	}
	if out.in.SOD, err = b64("ef_sod", u.SOD); err != nil {
		return nil, err
	}
	if u.COM != "" {
		if out.in.COM, err = b64("ef_com", u.COM); err != nil {
			return nil, err
		}
	}
	for k, s := range u.DataGroups {
		n, perr := strconv.Atoi(k)
		if perr != nil || n < 1 || n > 16 || strconv.Itoa(n) != k {
			return nil, bad("data_groups keys are the numbers 1 to 16")
		}
		if out.in.DataGroups[n], err = b64("data group "+k, s); err != nil {
			return nil, err
		}
	}
	if u.AA != nil {
		if out.challenge, err = b64("active_authentication.challenge", u.AA.Challenge); err != nil {
			return nil, err
		}
		if out.in.AAResponse, err = b64("active_authentication.signature", u.AA.Signature); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// chipResult is the reader API's answer to an upload.
type chipResult struct {
	Result      string   `json:"result"` // "accepted"
	PassiveAuth string   `json:"passive_authentication"`
	ActiveAuth  string   `json:"active_authentication"`
	Reasons     []string `json:"reasons,omitempty"`
}

// chipUploadHandler verifies a chip reading. Nothing is stored unless it
// is accepted; a refusal only counts an attempt and keeps its reasons (no
// personal data) for the page.
func (v *Verifier) chipUploadHandler(w http.ResponseWriter, r *http.Request) (any, error) {
	rec, s, err := v.pairedVerification(r.Context(), r)
	if err != nil {
		return nil, err
	}
	reading, err := decodeChipUpload(w, r)
	if err != nil {
		return nil, err
	}
	now := v.cfg.Clock()
	c := s.Chip
	if reading.challenge != nil {
		// The response must answer the challenge this verification issued,
		// still live: otherwise a recorded answer could be replayed.
		if len(c.Challenge) == 0 || !now.Before(c.ChallengeExpires) || !slices.Equal(reading.challenge, c.Challenge) {
			return nil, v.refuseChip(r.Context(), rec.ID, []string{"aa-challenge-unknown"})
		}
		reading.in.Challenge = c.Challenge
	}
	rep := emrtd.Verify(reading.in, v.cfg.Trust, now)
	reasons := chipReasons(rep, s.Document.Fields)
	if len(reasons) == 0 {
		reading.portrait, reading.portraitType, err = v.viewablePortrait(r.Context(), rep.Faces[0])
		var ae *apiError
		if errors.As(err, &ae) {
			reasons = ae.Reasons
		} else if err != nil {
			return nil, err
		}
	}
	if len(reasons) > 0 {
		return nil, v.refuseChip(r.Context(), rec.ID, reasons)
	}
	if err := v.acceptChip(r.Context(), rec, reading, rep, now); err != nil {
		return nil, err
	}
	v.cfg.Logger.InfoContext(r.Context(), "verifier: chip accepted", "verification", rec.ID,
		"active_auth", rep.ActiveAuth, "ds_country", certCountry(rep.DocumentSigner))
	return chipResult{Result: "accepted", PassiveAuth: "passed", ActiveAuth: rep.ActiveAuth}, nil
}

// chipReasons decides on a report: passive authentication must pass with
// no blocking reason, the chip must hold a face, active authentication
// must pass when the chip supports it, and DG1 must be the document that
// was photographed.
func chipReasons(rep *emrtd.Report, printed *docFields) []string {
	var out []string
	if !rep.Accept() {
		out = append(out, rep.Reasons...)
		if len(out) == 0 {
			out = append(out, "passive-authentication-failed")
		}
		return out
	}
	if len(rep.Faces) == 0 {
		out = append(out, "dg2-missing")
	}
	switch rep.ActiveAuth {
	case emrtd.AAPassed, emrtd.AANotSupported:
	case emrtd.AANotPerformed:
		out = append(out, "aa-required")
	default:
		out = append(out, "aa-signature-invalid")
	}
	if rep.Document == nil {
		return append(out, "dg1-missing")
	}
	if f := chipFields(rep.Document); !sameDocument(f, printed) {
		out = append(out, "mrz-mismatch")
	}
	if rep.Document.Expired {
		out = append(out, ReasonDocumentExpired)
	}
	return out
}

// refuseChip counts a refused upload and keeps its reasons for the page.
func (v *Verifier) refuseChip(ctx context.Context, id string, reasons []string) error {
	if _, err := v.mutate(ctx, id, func(_ *store.Verification, s *steps) error {
		if s.Chip != nil {
			s.Chip.Attempts++
			s.Chip.LastReasons = reasons
			// A challenge answers one reading only.
			s.Chip.Challenge, s.Chip.ChallengeExpires = nil, time.Time{}
		}
		return nil
	}); err != nil {
		return err
	}
	return &apiError{status: http.StatusUnprocessableEntity, Code: "chip_refused",
		Description: "the chip reading did not pass verification", Reasons: reasons}
}

// acceptChip seals the reading and the portrait and records the step.
func (v *Verifier) acceptChip(ctx context.Context, rec *store.Verification, reading *chipReading, rep *emrtd.Report, now time.Time) error {
	files := map[string]any{"ef_com": reading.in.COM, "ef_sod": reading.in.SOD, "data_groups": reading.in.DataGroups}
	if reading.challenge != nil {
		files["active_authentication"] = map[string][]byte{"challenge": reading.in.Challenge, "signature": reading.in.AAResponse}
	}
	raw, err := json.Marshal(files)
	if err != nil {
		return err
	}
	dataID, err := v.putEvidence(ctx, rec, KindChipData, "application/json", raw)
	if err != nil {
		return err
	}
	portraitID, err := v.putEvidence(ctx, rec, KindChipPortrait, reading.portraitType, reading.portrait)
	if err != nil {
		return err
	}
	_, err = v.mutate(ctx, rec.ID, func(r *store.Verification, s *steps) error {
		if r.Status != store.VerificationStarted || s.Chip == nil || s.Chip.accepted() {
			return errChipState
		}
		s.Chip.EvidenceID, s.Chip.PortraitID = dataID, portraitID
		s.Chip.Fields = chipFields(rep.Document)
		s.Chip.ActiveAuth = rep.ActiveAuth
		s.Chip.DSCountry = certCountry(rep.DocumentSigner)
		if rep.CSCA != nil {
			s.Chip.CSCA = rep.CSCA.Subject
		}
		s.Chip.CheckedAt = now
		s.Chip.PairNonce, s.Chip.PairExpires = "", time.Time{} // the token is spent
		s.Chip.Challenge, s.Chip.ChallengeExpires = nil, time.Time{}
		s.Chip.LastReasons = nil
		return nil
	})
	return err
}

func certCountry(c *emrtd.Certificate) string {
	if c == nil {
		return ""
	}
	return c.Country
}

// chipFields copies DG1's fields in the form the document step keeps.
func chipFields(d *emrtd.Document) *docFields {
	f := &docFields{
		Code: d.DocumentCode, IssuingState: d.IssuingState, Number: d.DocumentNumber,
		Surname: d.Surname, GivenNames: append([]string(nil), d.GivenNames...),
		Nationality: d.Nationality, Expiry: d.ExpiryDate, Sex: d.Sex,
	}
	if !strings.Contains(d.BirthDate, "X") {
		f.BirthDate = d.BirthDate
	}
	return f
}

// sameDocument compares the chip's DG1 with the photographed MRZ field by
// field: both are MRZ data, so they must be equal, not similar.
func sameDocument(a, b *docFields) bool {
	return a.Code == b.Code && a.IssuingState == b.IssuingState && a.Number == b.Number &&
		a.Surname == b.Surname && slices.Equal(a.GivenNames, b.GivenNames) &&
		a.Nationality == b.Nationality && a.BirthDate == b.BirthDate &&
		a.Expiry == b.Expiry && a.Sex == b.Sex
}
