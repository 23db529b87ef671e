package store

import (
	"errors"
	"fmt"
)

// Checks every backend runs before writing a record, so that each refuses
// the same records with the same words (prefixed with its name).

// Check refuses a risk factor that names no user or kind, has a severity
// outside 1..100, or does not expire after it starts.
func (f *RiskFactor) Check() error {
	switch {
	case f.ID == "":
		return errors.New("risk factor needs an ID")
	case f.UserID == "":
		return errors.New("risk factor needs a UserID")
	case f.Kind == "":
		return errors.New("risk factor needs a Kind")
	case f.Severity < 1 || f.Severity > 100:
		return fmt.Errorf("risk factor severity %d outside 1..100", f.Severity)
	case f.At.IsZero():
		return errors.New("risk factor needs a time")
	case !f.ExpiresAt.After(f.At):
		return errors.New("risk factor must expire after it starts")
	}
	return nil
}

// Check refuses verifications the verifier must never write: without an
// expiry a verification would stay open for ever.
func (v *Verification) Check() error {
	if v.ID == "" {
		return errors.New("verification needs an ID")
	}
	if v.ExpiresAt.IsZero() {
		return errors.New("verification needs an expiry")
	}
	switch v.Status {
	case VerificationStarted, VerificationReview, VerificationApproved, VerificationRejected, VerificationExpired:
		return nil
	}
	return fmt.Errorf("unknown verification status %q", v.Status)
}

// Check refuses an incomplete stream or an unknown status.
func (s *Stream) Check() error {
	switch {
	case s.ID == "" || s.Audience == "":
		return errors.New("stream needs an ID and an audience")
	case len(s.Config) == 0:
		return errors.New("stream needs a configuration")
	case s.CreatedAt.IsZero() || s.UpdatedAt.IsZero():
		return errors.New("stream needs creation and update times")
	}
	switch s.Status {
	case "enabled", "paused", "disabled":
		return nil
	}
	return fmt.Errorf("unknown stream status %q", s.Status)
}
