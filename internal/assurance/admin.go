package assurance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/audit"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/store"
)

var _ admin.Service = (*Service)(nil)

// Sessions lists sessions, of one user or all.
func (s *Service) Sessions(ctx context.Context, userID string) ([]admin.SessionView, error) {
	ss, err := s.o.Store.ListSessions(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]admin.SessionView, 0, len(ss))
	for _, x := range ss {
		v := admin.SessionView{ID: x.ID, User: x.UserID, Provider: x.Provider, Email: x.Identity.Email, Name: x.Identity.Name,
			CreatedAt: x.CreatedAt, LastSeenAt: x.LastSeenAt, ExpiresAt: x.ExpiresAt, IP: x.IP, UserAgent: x.UserAgent}
		if x.Identity.Verification != nil {
			v.Level = x.Identity.Verification.Level
		}
		out = append(out, v)
	}
	return out, nil
}

// ResolveUser accepts a user ID (provider:hash) or an email.
func (s *Service) ResolveUser(ctx context.Context, who string) (string, error) {
	who = strings.TrimSpace(who)
	if who == "" {
		return "", fmt.Errorf("%w: name a user by ID or email", admin.ErrInvalid)
	}
	if !strings.Contains(who, "@") {
		if _, err := s.o.Store.GetUser(ctx, who); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return "", fmt.Errorf("%w: no user %q", admin.ErrNotFound, who)
			}
			return "", err
		}
		return who, nil
	}
	us, err := s.o.Store.UsersByEmail(ctx, who)
	if err != nil {
		return "", err
	}
	switch len(us) {
	case 0:
		return "", fmt.Errorf("%w: no user with email %s", admin.ErrNotFound, who)
	case 1:
		return us[0].ID, nil
	}
	return "", fmt.Errorf("%w: %s is the email of %d users (one per provider): name one by ID", admin.ErrInvalid, who, len(us))
}

// Risk is the user's risk now with every factor, cleared ones included.
func (s *Service) Risk(ctx context.Context, userID string) (admin.RiskView, error) {
	fs, err := s.o.Store.RiskFactors(ctx, userID)
	if err != nil {
		return admin.RiskView{}, err
	}
	now := s.clock()
	a := s.o.Engine.Assess(userID, now)
	points := map[string]int{}
	for _, c := range a.Factors {
		points[c.Factor.ID] = c.Points
	}
	v := admin.RiskView{User: userID, Score: a.Score, Level: a.Level.String(), Factors: []admin.FactorView{}}
	// Active (by points) first, then the rest newest first.
	for i := len(fs) - 1; i >= 0; i-- {
		f := fs[i]
		fv := admin.FactorView{ID: f.ID, Kind: f.Kind, Severity: f.Severity, Points: points[f.ID], Reason: f.Reason,
			Evidence: f.Evidence, Source: f.Source, At: f.At, ExpiresAt: f.ExpiresAt, ClearedBy: f.ClearedBy}
		if !f.ClearedAt.IsZero() {
			t := f.ClearedAt
			fv.ClearedAt = &t
		}
		v.Factors = append(v.Factors, fv)
	}
	slices.SortStableFunc(v.Factors, func(a, b admin.FactorView) int { return b.Points - a.Points })
	return v, nil
}

// ResetRisk clears every active factor of the user.
func (s *Service) ResetRisk(ctx context.Context, userID, by, reason string) (admin.RiskView, error) {
	now := s.clock()
	if _, err := s.o.Store.ClearRiskFactors(ctx, userID, nil, now, by); err != nil {
		return admin.RiskView{}, err
	}
	before, after := s.o.Engine.Clear(userID, nil, now, by)
	// An administrator looked and reset: if the evidence still stands,
	// the detectors may say so again. (A re-verification does not forget:
	// within the findings' lifetime the verified person is not flagged
	// again for the same thing, or they would be stepped up in a loop.)
	if s.o.Detector != nil {
		s.o.Detector.Forget(userID, nil)
	}
	s.o.Audit.Write(&audit.Record{Time: now, Kind: "risk", User: userID, Decision: "reset:" + after.Level.String(),
		Reasons: []string{reason}, Actor: by})
	s.levelChanged(ctx, userID, before, after, reason)
	return s.Risk(ctx, userID)
}

// RaiseRisk adds an administrator's factor.
func (s *Service) RaiseRisk(ctx context.Context, userID string, r admin.Raise) (admin.RiskView, error) {
	now := s.clock()
	f := store.RiskFactor{UserID: userID, Kind: risk.KindAdmin, Severity: r.Severity, Reason: r.Reason,
		Source: r.By, At: now, ExpiresAt: now.Add(r.TTL)}
	if err := s.AddFactor(ctx, f); err != nil {
		return admin.RiskView{}, err
	}
	return s.Risk(ctx, userID)
}
