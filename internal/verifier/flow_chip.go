package verifier

import (
	"crypto/hmac"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// The chip step: the person reads their document's chip with a reader app
// (a phone with NFC, or a PC/SC reader tool), which sends the chip's files
// to the reader API (docs/chip-reader-api.md). The browser page pairs the
// app with this verification by a short-lived token it shows; the app never
// sees the browser's cookies, and the browser never sees the chip data.

// Limits of the chip step.
const (
	// pairingLifetime bounds a pairing token; the page makes a new one.
	pairingLifetime = 15 * time.Minute
	// challengeLifetime bounds an Active Authentication challenge.
	challengeLifetime = 5 * time.Minute
	// maxChipAttempts is how many refused uploads a verification allows:
	// a genuine chip passes the first time; repeated failures are probing.
	maxChipAttempts = 5
)

// Evidence kinds of the chip step.
const (
	KindChipData     = "chip-data"     // the uploaded files, as JSON
	KindChipPortrait = "chip-portrait" // DG2's face image, for the reviewer
)

// chipStep is what the chip step established (Verification.Steps.Chip).
type chipStep struct {
	// PairNonce makes the pairing token (chipToken); PairExpires ends it.
	PairNonce   string    `json:"pair_nonce,omitempty"`
	PairExpires time.Time `json:"pair_expires,omitzero"`
	// Challenge is the outstanding Active Authentication challenge.
	Challenge        []byte    `json:"challenge,omitempty"`
	ChallengeExpires time.Time `json:"challenge_expires,omitzero"`
	// Attempts counts refused uploads; LastReasons are the last refusal's.
	Attempts    int      `json:"attempts,omitempty"`
	LastReasons []string `json:"last_reasons,omitempty"`

	// Set once an upload was accepted.
	EvidenceID string     `json:"evidence_id,omitempty"`
	PortraitID string     `json:"portrait_id,omitempty"`
	Fields     *docFields `json:"fields,omitempty"`
	ActiveAuth string     `json:"active_auth,omitempty"`
	// DSCountry and CSCA name the trust path, for the reviewer and audit.
	DSCountry string    `json:"ds_country,omitempty"`
	CSCA      string    `json:"csca,omitempty"`
	CheckedAt time.Time `json:"checked_at,omitzero"`
}

func (c *chipStep) accepted() bool { return c != nil && c.Fields != nil }

// chipToken is the pairing token for a verification: its id and a MAC over
// the id and the current nonce, so a new nonce revokes the old token and
// nothing about it needs storing.
func (v *Verifier) chipToken(verificationID, nonce string) string {
	return verificationID + "." + keyedHash(v.chipKey, "chip-pairing", verificationID, nonce)
}

// checkChipToken reports whether token is the live pairing token of rec.
func (v *Verifier) checkChipToken(token string, rec *store.Verification, c *chipStep, now time.Time) bool {
	if c == nil || c.PairNonce == "" || !now.Before(c.PairExpires) {
		return false
	}
	want := v.chipToken(rec.ID, c.PairNonce)
	return hmac.Equal([]byte(token), []byte(want))
}

// chipReady reports whether the verification is at the chip step.
func chipReady(b *bound) bool {
	s := b.steps
	return b.rec.Status == store.VerificationStarted && needsChip(b.rec.Rung) &&
		s.Email != nil && s.Document != nil && s.Document.Fields != nil && !s.Chip.accepted()
}

// chipPage shows the pairing token and the state of the chip step. It
// refreshes itself until the reader app's upload arrives.
func (v *Verifier) chipPage(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	if !chipReady(b) {
		return v.redirect(w, r, v.next(b))
	}
	now := v.cfg.Clock()
	if c := b.steps.Chip; c == nil || c.PairNonce == "" || !now.Before(c.PairExpires) {
		if b, err = v.newPairing(r, b); err != nil {
			return err
		}
	}
	return v.renderChip(w, http.StatusOK, b, nil)
}

// chipPair replaces the pairing token (the person asked for a new one).
func (v *Verifier) chipPair(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	if !chipReady(b) {
		return errStepOrder
	}
	if _, err := v.newPairing(r, b); err != nil {
		return err
	}
	return v.redirect(w, r, v.op.Path("/chip")+"?id="+b.id)
}

func (v *Verifier) newPairing(r *http.Request, b *bound) (*bound, error) {
	nonce, err := v.newID()
	if err != nil {
		return nil, err
	}
	now := v.cfg.Clock()
	rec, err := v.mutate(r.Context(), b.rec.ID, func(rec *store.Verification, s *steps) error {
		if s.Chip == nil {
			s.Chip = &chipStep{}
		}
		s.Chip.PairNonce, s.Chip.PairExpires = nonce, now.Add(pairingLifetime)
		s.Chip.Challenge, s.Chip.ChallengeExpires = nil, time.Time{}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v.rebind(b, rec)
}

func (v *Verifier) renderChip(w http.ResponseWriter, status int, b *bound, ue *userError) error {
	c := b.steps.Chip
	d := pageData{
		Page: "chip", Title: "Read your document's chip", ID: b.id, Step: 3, Steps: stepsFor(b.rec.Rung),
		ChipToken: v.chipToken(b.rec.ID, c.PairNonce), ChipAPI: v.chipAPIURL(),
		ChipExpires: c.PairExpires.UTC().Format("15:04 UTC"), Reasons: c.LastReasons, Refresh: 5,
	}
	if c.Attempts > 0 {
		d.Error, d.Reason = "The last chip reading was refused. Check that you are reading the same document you photographed, and try again.", "chip-refused"
	}
	if ue != nil {
		d.Error, d.Reason = ue.msg, ue.reason
	}
	return v.pages.render(w, status, d)
}

// chipAPIURL is the reader API's base URL, shown to the person to enter in
// the reader app together with the token.
func (v *Verifier) chipAPIURL() string {
	return strings.TrimSuffix(v.op.Issuer(), "/") + "/chip"
}
