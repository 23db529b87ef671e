// Package risk turns risk factors into a per-user score and level. It is a
// pure core: no I/O, no goroutines, no clock of its own (every method that
// judges time takes "now"). Factors come from the detectors in risk/detect,
// from received security events and from administrators; the store keeps
// them and its change feed tells every process to reload a user's factors
// into its Engine.
//
// A user's score is the sum of their active factors' points, capped at
// 100; each factor's points decay linearly from its severity to nothing
// over its lifetime (see Points). Thresholds turn the score into a level.
//
// It must never decide access by itself: it reports a level and the
// reasons behind it, and policy decides what a level means for an app.
package risk

import (
	"errors"
	"fmt"
)

// Factor kinds raised by the detectors.
const (
	KindImpossibleTravel     = "impossible-travel"
	KindConcurrentDistant    = "concurrent-distant"
	KindNewDevice            = "new-device"
	KindNewCountry           = "new-country"
	KindHostingNetwork       = "hosting-network"
	KindFarmDevice           = "farm-device"
	KindFarmAddress          = "farm-address"
	KindLocaleMismatch       = "locale-mismatch"
	KindDuplicateFace        = "duplicate-face"
	KindVerificationFailures = "verification-failures"
)

// Factor kinds that arrive ready-made: an administrator's note, and
// received Shared Signals events, whose kind is SSFPrefix followed by the
// event's name (e.g. "ssf-credential-compromise").
const (
	KindAdmin = "admin"
	SSFPrefix = "ssf-"
)

var detectorKinds = []string{
	KindImpossibleTravel, KindConcurrentDistant, KindNewDevice, KindNewCountry, KindHostingNetwork,
	KindFarmDevice, KindFarmAddress, KindLocaleMismatch, KindDuplicateFace, KindVerificationFailures,
}

// DetectorKinds lists every kind the detectors raise, in a fixed order. The
// slice is the caller's to keep.
func DetectorKinds() []string { return append([]string(nil), detectorKinds...) }

// IsDetectorKind reports whether kind is raised by the detectors.
func IsDetectorKind(kind string) bool {
	for _, k := range detectorKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// ClearedByVerification reports whether a successful re-verification
// clears factors of kind. Proving the person answers "is it really them",
// which is what every detector asks; it does not answer "the identity
// provider says the account is compromised" (ssf-*) or "an administrator is
// worried" (admin), so those stay. Nor does it answer duplicate-face: the
// same face verifying again proves nothing about the other account. Unknown
// kinds stay too.
func ClearedByVerification(kind string) bool {
	return IsDetectorKind(kind) && kind != KindDuplicateFace
}

// Default thresholds.
const (
	DefaultMedium = 40
	DefaultHigh   = 70
)

// Thresholds map a score (0..100) to a level: a score of at least Medium is
// medium, of at least High is high. Zero fields take the defaults (40, 70).
type Thresholds struct {
	Medium, High int
}

func (t Thresholds) withDefaults() Thresholds {
	if t.Medium == 0 {
		t.Medium = DefaultMedium
	}
	if t.High == 0 {
		t.High = DefaultHigh
	}
	return t
}

// Validate reports every problem with t (after defaults) at once.
func (t Thresholds) Validate() error {
	t = t.withDefaults()
	var errs []error
	if t.Medium < 1 || t.Medium > 100 {
		errs = append(errs, fmt.Errorf("risk: medium threshold %d outside 1..100", t.Medium))
	}
	if t.High < 1 || t.High > 100 {
		errs = append(errs, fmt.Errorf("risk: high threshold %d outside 1..100", t.High))
	}
	if t.High <= t.Medium {
		errs = append(errs, fmt.Errorf("risk: high threshold %d must be above medium threshold %d", t.High, t.Medium))
	}
	return errors.Join(errs...)
}

// clamped returns t with defaults, forced into range so that an engine
// given unvalidated thresholds still grades scores, erring towards higher
// levels rather than never reaching them.
func (t Thresholds) clamped() Thresholds {
	t = t.withDefaults()
	t.Medium = min(max(t.Medium, 1), 100)
	t.High = min(max(t.High, t.Medium), 100)
	return t
}

// level grades score.
func (t Thresholds) level(score int) Level {
	switch {
	case score >= t.High:
		return High
	case score >= t.Medium:
		return Medium
	}
	return Low
}
