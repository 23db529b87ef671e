package assurance

import (
	"context"
	"time"

	"github.com/vigil-gw/vigil/internal/audit"
	"github.com/vigil-gw/vigil/internal/gateway"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/risk/detect"
)

var _ gateway.Assurance = (*Service)(nil)

// Level is the user's level now, from memory.
func (s *Service) Level(userID string, now time.Time) risk.Level {
	return s.o.Engine.Level(userID, now)
}

// StepUpHelps reports whether clearing what a verification clears would
// bring the user below level.
func (s *Service) StepUpHelps(userID string, level risk.Level, now time.Time) bool {
	return s.o.Engine.LevelAfterVerification(userID, now) < level
}

// Reasons lists why the user's risk is what it is, highest first.
func (s *Service) Reasons(userID string, now time.Time) []string {
	return s.o.Engine.Assess(userID, now).Reasons()
}

// Observe queues what a request showed. It never blocks: when the
// detectors fall behind, observations are dropped and counted.
func (s *Service) Observe(o gateway.Observation) {
	select {
	case s.queue <- detect.Observation{At: o.At, UserID: o.UserID, SessionID: o.SessionID, App: o.App, IP: o.IP,
		Device: o.Device, Language: o.Language, DocCountry: o.DocCountry}:
		s.observed.Add(1)
		if s.o.OnObserved != nil {
			s.o.OnObserved(false)
		}
	default:
		s.dropped.Add(1)
		if s.o.OnObserved != nil {
			s.o.OnObserved(true)
		}
	}
}

// AppRevokedAt is when access to app was last revoked.
func (s *Service) AppRevokedAt(app string) time.Time {
	return (*s.appRev.Load())[app]
}

// RevokeUser ends every session of the user: the gateway's revoke action.
func (s *Service) RevokeUser(ctx context.Context, userID, reason string) error {
	_, err := s.revokeUser(ctx, userID, reason, "risk")
	return err
}

// Device records what a browser said about itself (its time zone), for
// the locale detector. Bounded: when full, an arbitrary entry goes.
func (s *Service) Device(id, timeZone string) {
	if id == "" || len(timeZone) > 64 {
		return
	}
	s.devMu.Lock()
	defer s.devMu.Unlock()
	if _, ok := s.devices[id]; !ok && len(s.devices) >= 100_000 {
		for k := range s.devices {
			delete(s.devices, k)
			break
		}
	}
	s.devices[id] = timeZone
}

func (s *Service) deviceZone(id string) string {
	s.devMu.Lock()
	defer s.devMu.Unlock()
	return s.devices[id]
}

// Reverified clears what a successful verification at at answers: the
// detectors' findings up to then. An administrator's or an identity
// provider's word stays.
func (s *Service) Reverified(ctx context.Context, userID string, at time.Time) error {
	var kinds []string
	now := s.clock()
	for _, c := range s.o.Engine.Assess(userID, now).Factors {
		if risk.ClearedByVerification(c.Factor.Kind) && !c.Factor.At.After(at) {
			kinds = append(kinds, c.Factor.Kind)
		}
	}
	if len(kinds) == 0 {
		return nil
	}
	if _, err := s.o.Store.ClearRiskFactors(ctx, userID, kinds, now, "verification"); err != nil {
		return err
	}
	before, after := s.o.Engine.Clear(userID, kinds, now, "verification")
	s.o.Audit.Write(&audit.Record{Time: now, Kind: "risk", User: userID, Decision: "clear:" + after.Level.String(),
		Reasons: append([]string{"identity verified again"}, kinds...), Actor: "verification"})
	s.levelChanged(ctx, userID, before, after, "identity verified again")
	return nil
}

// VerificationFailed records that a verification the user started ended
// without one; the detector raises a factor when they pile up.
func (s *Service) VerificationFailed(ctx context.Context, userID, reason string) {
	if s.o.Detector == nil {
		return
	}
	s.o.Audit.Write(&audit.Record{Time: s.clock(), Kind: "risk", User: userID, Decision: "verification-failed",
		Reasons: []string{reason}, Actor: "verification"})
	for _, f := range s.o.Detector.VerificationFailed(userID, s.clock()) {
		if err := s.AddFactor(ctx, f); err != nil {
			s.log.Warn("recording a risk factor failed", "user", userID, "kind", f.Kind, "err", err)
		}
	}
}

// DuplicateFace records that the verifier found one face verified for two
// accounts: the one verifying now (userID) and otherUser ("" when the
// other person's account is not known here). Both get the finding; it
// stays until it expires or an admin resets the risk, since verifying
// again with the same face cannot disprove it.
func (s *Service) DuplicateFace(ctx context.Context, userID, otherUser string) {
	if s.o.Detector == nil || userID == "" {
		return
	}
	s.o.Audit.Write(&audit.Record{Time: s.clock(), Kind: "risk", User: userID, Decision: "duplicate-face",
		Reasons: []string{"the verifier found this face verified for another account"}, Actor: "verification"})
	for _, f := range s.o.Detector.DuplicateFace(userID, otherUser, s.clock()) {
		if err := s.AddFactor(ctx, f); err != nil {
			s.log.Warn("recording a risk factor failed", "user", f.UserID, "kind", f.Kind, "err", err)
		}
	}
}
