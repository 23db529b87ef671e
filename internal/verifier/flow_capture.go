package verifier

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/vigil-gw/vigil/internal/evidence/capture"
	"github.com/vigil-gw/vigil/internal/store"
)

// Capture binding: on the email page, a browser with a platform
// authenticator enrols a WebAuthn credential for this verification
// (internal/evidence/capture); the liveness burst is then signed with it,
// and a burst the bound device did not sign is refused. Without an
// authenticator nothing is bound: the verification goes on, but is never
// decided automatically and its ID token lacks amr "hwk".

// captureStep holds the binding and the pending WebAuthn ceremony state.
type captureStep struct {
	EnrolState []byte           `json:"enrol_state,omitempty"`
	SignState  []byte           `json:"sign_state,omitempty"`
	Binding    *capture.Binding `json:"binding,omitempty"`
	// Signed is set when a liveness burst was verified as signed by Binding.
	Signed bool `json:"signed,omitempty"`
}

func (c *captureStep) bound() bool  { return c != nil && c.Binding != nil }
func (c *captureStep) signed() bool { return c != nil && c.Signed }

// amr for RFC 8176: "hwk" when the capture was signed by the device key.
func amrOf(s steps) []string {
	if s.Capture.signed() {
		return []string{amrOTP, "hwk"}
	}
	return []string{amrOTP}
}

// rpID is the WebAuthn relying party: the issuer's host.
func (v *Verifier) rp() (id string, origins []string) {
	u, err := url.Parse(v.op.Issuer())
	if err != nil {
		return "", nil
	}
	return u.Hostname(), []string{u.Scheme + "://" + u.Host}
}

// captureEnrolBegin returns the options for navigator.credentials.create.
func (v *Verifier) captureEnrolBegin(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	if b.rec.Status != store.VerificationStarted || !needsDocument(b.rec.Rung) || b.steps.Capture.bound() {
		return errStepOrder
	}
	rpID, origins := v.rp()
	opts, st, err := capture.BeginEnrol(b.rec.ID, rpID, v.cfg.Organization, origins)
	if err != nil {
		// An issuer WebAuthn cannot use (an IP address, plain http off
		// localhost): no binding, the flow goes on.
		return writeJSON(w, http.StatusConflict, map[string]any{"error": "capture_unavailable"})
	}
	if _, err := v.mutate(r.Context(), b.rec.ID, func(_ *store.Verification, s *steps) error {
		if s.Capture == nil {
			s.Capture = &captureStep{}
		}
		s.Capture.EnrolState = st
		return nil
	}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(opts)
	return err
}

// captureEnrolFinish checks the authenticator's answer and stores the binding.
func (v *Verifier) captureEnrolFinish(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return err
	}
	var binding *capture.Binding
	if _, err := v.mutate(r.Context(), b.rec.ID, func(rec *store.Verification, s *steps) error {
		if rec.Status != store.VerificationStarted || s.Capture == nil || len(s.Capture.EnrolState) == 0 || s.Capture.bound() {
			return errStepOrder
		}
		st := s.Capture.EnrolState
		s.Capture.EnrolState = nil // one answer per ceremony
		bd, ferr := capture.FinishEnrol(st, body)
		if ferr != nil {
			return &userError{status: http.StatusUnprocessableEntity, reason: string(capture.ReasonOf(ferr)), err: ferr}
		}
		s.Capture.Binding, binding = bd, bd
		return nil
	}); err != nil {
		var ue *userError
		if errors.As(err, &ue) {
			return writeJSON(w, ue.status, map[string]any{"error": ue.reason})
		}
		return err
	}
	v.cfg.Logger.InfoContext(r.Context(), "verifier: capture device bound", "verification", b.rec.ID,
		"attestation", binding.AttestationFormat, "user_verified", binding.UserVerified)
	return writeJSON(w, http.StatusOK, map[string]any{"bound": true})
}

// captureSignBegin returns the options for signing a burst with the bound
// credential; capture.js computes the challenge from the frames.
func (v *Verifier) captureSignBegin(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	if !b.steps.Capture.bound() || !v.selfieReady(b) || b.steps.Selfie != nil {
		return errStepOrder
	}
	opts, st, err := capture.BeginSign(b.steps.Capture.Binding, nil)
	if err != nil {
		return err
	}
	if _, err := v.mutate(r.Context(), b.rec.ID, func(_ *store.Verification, s *steps) error {
		s.Capture.SignState = st
		return nil
	}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(opts)
	return err
}

// verifyCapture checks a burst's signature when the verification is bound.
// It returns the reason to refuse the burst, "" when it may go on; the
// sign state is spent either way.
func (v *Verifier) verifyCapture(r *http.Request, b *bound, frames [][]byte, nonce, assertion []byte) (string, error) {
	if !b.steps.Capture.bound() {
		return "", nil
	}
	var reason string
	_, err := v.mutate(r.Context(), b.rec.ID, func(_ *store.Verification, s *steps) error {
		st := s.Capture.SignState
		s.Capture.SignState = nil
		count, verr := capture.VerifyBurst(s.Capture.Binding, st, assertion, frames, nonce)
		if verr != nil {
			reason = string(capture.ReasonOf(verr))
			if reason == "" {
				reason = "capture-malformed"
			}
			return nil
		}
		s.Capture.Binding.SignCount, s.Capture.Signed = count, true
		return nil
	})
	return reason, err
}

// captureAssets serves capture.js under /static/capture/.
func captureAssets() http.Handler {
	fs := http.FileServerFS(capture.Assets())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header())
		w.Header().Set("Cache-Control", "public, max-age=3600")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + strings.TrimPrefix(r.URL.Path, "/static/capture/")
		fs.ServeHTTP(w, r2)
	})
}
