package assurance

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
)

// Users lists the users who hold a session, plus the user query names
// exactly (an ID or email, with or without sessions). The store keeps no
// index of every user ever seen; a user without sessions is found by name.
// query otherwise filters by a case-insensitive part of the ID, email or
// name. Most recently seen first.
func (s *Service) Users(ctx context.Context, query string, limit int) ([]admin.UserSummary, error) {
	query = strings.TrimSpace(query)
	ss, err := s.o.Store.ListSessions(ctx, "")
	if err != nil {
		return nil, err
	}
	byID := map[string]*admin.UserSummary{}
	var order []*admin.UserSummary
	add := func(u admin.UserSummary) *admin.UserSummary {
		if x := byID[u.ID]; x != nil {
			return x
		}
		x := &u
		byID[u.ID] = x
		order = append(order, x)
		return x
	}
	// An exact name first, so a user without sessions is still found.
	if query != "" {
		if id, err := s.ResolveUser(ctx, query); err == nil {
			if u, err := s.o.Store.GetUser(ctx, id); err == nil {
				add(summaryOf(u))
			}
		}
	}
	q := strings.ToLower(query)
	for i := range ss {
		x := &ss[i]
		if q != "" && !strings.Contains(strings.ToLower(x.UserID), q) && !strings.Contains(x.Identity.Email, q) &&
			!strings.Contains(strings.ToLower(x.Identity.Name), q) {
			if byID[x.UserID] == nil {
				continue
			}
		}
		u := add(admin.UserSummary{ID: x.UserID, Provider: x.Provider, Email: x.Identity.Email, Name: x.Identity.Name})
		u.Sessions++
		if x.LastSeenAt.After(u.LastSeenAt) {
			u.LastSeenAt = x.LastSeenAt
		}
		if v := x.Identity.Verification; v != nil && u.Level == "" {
			u.Level = v.Level
		}
	}
	slices.SortStableFunc(order, func(a, b *admin.UserSummary) int {
		return cmp.Or(b.LastSeenAt.Compare(a.LastSeenAt), strings.Compare(a.ID, b.ID))
	})
	if len(order) > limit {
		order = order[:limit]
	}
	now := s.clock()
	out := make([]admin.UserSummary, 0, len(order))
	for _, u := range order {
		u.Risk = s.o.Engine.Assess(u.ID, now).Level.String()
		out = append(out, *u)
	}
	return out, nil
}

func summaryOf(u *store.User) admin.UserSummary {
	out := admin.UserSummary{ID: u.ID, Provider: u.Provider, Email: u.Email, Name: u.Name, LastSeenAt: u.LastSeenAt}
	if u.Verification != nil {
		out.Level = u.Verification.Level
	}
	return out
}

// User is one user with their latest verification, risk and sessions.
func (s *Service) User(ctx context.Context, userID string) (admin.UserView, error) {
	u, err := s.o.Store.GetUser(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return admin.UserView{}, fmt.Errorf("%w: no user %q", admin.ErrNotFound, userID)
	}
	if err != nil {
		return admin.UserView{}, err
	}
	ss, err := s.o.Store.ListSessions(ctx, userID)
	if err != nil {
		return admin.UserView{}, err
	}
	v := admin.UserView{ID: u.ID, Provider: u.Provider, Subject: u.Subject, Email: u.Email, Name: u.Name,
		Groups: []string{}, Sessions: len(ss), FirstSeenAt: u.FirstSeenAt, LastSeenAt: u.LastSeenAt}
	// Groups are what the provider said at the latest sign-in.
	var latest *store.Session
	for i := range ss {
		if latest == nil || ss[i].CreatedAt.After(latest.CreatedAt) {
			latest = &ss[i]
		}
	}
	if latest != nil && latest.Identity.Groups != nil {
		v.Groups = slices.Clone(latest.Identity.Groups)
	}
	ver := u.Verification
	if latest != nil && latest.Identity.Verification != nil && (ver == nil || latest.Identity.Verification.VerifiedAt.After(ver.VerifiedAt)) {
		ver = latest.Identity.Verification
	}
	if ver != nil {
		v.Verification = s.verificationView(ctx, ver)
	}
	if v.Risk, err = s.Risk(ctx, userID); err != nil {
		return admin.UserView{}, err
	}
	return v, nil
}

func (s *Service) verificationView(ctx context.Context, ver *identity.Verification) *admin.VerificationView {
	out := &admin.VerificationView{Provider: ver.Provider, Level: ver.Level, TrustFramework: ver.TrustFramework,
		Methods: slices.Clone(ver.Methods), VerifiedAt: ver.VerifiedAt, DocumentCountry: ver.DocumentCountry}
	// The built-in verifier's subject is its person record, which keeps the
	// verified_claims issued; another verifier's is not found here.
	if p, err := s.o.Store.GetPerson(ctx, ver.Subject); err == nil {
		out.Evidence = evidenceKinds(p.VerifiedClaims)
	}
	return out
}

// evidenceKinds names each piece of evidence in verified_claims and the
// checks made on it ("document passport: vcrypt, vri, bvr"), leaving out
// numbers, names and dates.
func evidenceKinds(raw []byte) []string {
	var vc struct {
		Verification struct {
			Evidence []struct {
				Type     string `json:"type"`
				Document *struct {
					Type string `json:"type"`
				} `json:"document_details"`
				Checks []struct {
					Method string `json:"check_method"`
				} `json:"check_details"`
			} `json:"evidence"`
		} `json:"verification"`
	}
	if json.Unmarshal(raw, &vc) != nil {
		return nil
	}
	var out []string
	for _, e := range vc.Verification.Evidence {
		k := e.Type
		if e.Document != nil && e.Document.Type != "" {
			k += " " + e.Document.Type
		}
		var ms []string
		for _, c := range e.Checks {
			ms = append(ms, c.Method)
		}
		if len(ms) > 0 {
			k += ": " + strings.Join(ms, ", ")
		}
		out = append(out, k)
	}
	return out
}
