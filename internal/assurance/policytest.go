package assurance

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/policy"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/store"
)

// TestPolicy evaluates an app's running policy as the gateway would: for
// a named user with the identity of their latest session (or, without one,
// what the store keeps of them) and their risk now; for a given identity;
// or for an anonymous request. Nothing is recorded or changed.
func (s *Service) TestPolicy(ctx context.Context, t admin.PolicyTest) (admin.PolicyDecision, error) {
	if s.o.Policy == nil {
		return admin.PolicyDecision{}, fmt.Errorf("%w: no app named %q is configured", admin.ErrNotFound, t.App)
	}
	pol, ok := s.o.Policy(t.App)
	if !ok {
		return admin.PolicyDecision{}, fmt.Errorf("%w: no app named %q is configured", admin.ErrNotFound, t.App)
	}
	now := t.At
	if now.IsZero() {
		now = s.clock()
	}
	in := policy.Input{Now: now, Identity: t.Identity}
	if t.IP != "" {
		a, err := netip.ParseAddr(t.IP)
		if err != nil {
			return admin.PolicyDecision{}, fmt.Errorf("%w: ip %q is not an IP address", admin.ErrInvalid, t.IP)
		}
		in.IP = a.Unmap()
	}
	if t.User != "" {
		id, err := s.storedIdentity(ctx, t.User)
		if err != nil {
			return admin.PolicyDecision{}, err
		}
		in.Identity = id
		in.Risk = s.o.Engine.Assess(t.User, now).Level
	}
	if t.Risk != "" {
		l, err := risk.ParseLevel(t.Risk)
		if err != nil {
			return admin.PolicyDecision{}, fmt.Errorf("%w: %v", admin.ErrInvalid, err)
		}
		in.Risk = l
	}
	d := pol.Evaluate(&in)
	out := admin.PolicyDecision{App: t.App, User: t.User, Decision: d.Action.String(), Rule: d.Rule,
		Risk: in.Risk.String(), Reasons: []admin.PolicyReason{}, Explanation: d.Explain()}
	for _, r := range d.Reasons() {
		out.Reasons = append(out.Reasons, admin.PolicyReason{Code: r.Code, Rule: r.Rule, Detail: r.Detail})
		if r.Code == policy.ReasonNoClientIP && !in.IP.IsValid() {
			out.Hints = append(out.Hints, "this policy looks at the client address: give ip")
		}
	}
	if need, level, maxAge, acr := d.StepUp(); need {
		st := &admin.StepUp{Level: level, ACR: slices.Clone(acr)}
		if maxAge > 0 {
			st.MaxAge = maxAge.String()
		}
		out.StepUp = st
	}
	return out, nil
}

// storedIdentity is the user's identity as the gateway last saw it: the
// newest session's, else the store's record of the user (no groups or
// claims: the gateway keeps those with sessions only).
func (s *Service) storedIdentity(ctx context.Context, userID string) (*identity.Identity, error) {
	ss, err := s.o.Store.ListSessions(ctx, userID)
	if err != nil {
		return nil, err
	}
	if latest := newestSession(ss); latest != nil {
		id := latest.Identity
		return &id, nil
	}
	u, err := s.o.Store.GetUser(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: no user %q", admin.ErrNotFound, userID)
	}
	if err != nil {
		return nil, err
	}
	return &identity.Identity{Provider: u.Provider, Subject: u.Subject, Email: u.Email, Name: u.Name, Verification: u.Verification}, nil
}
