package assurance

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
)

// Users lists users from the store's users table, signed out or not, with
// their sessions: query, if not empty, keeps those whose ID, email or name
// contains it (ASCII case folded, literal text), and a user that query
// names exactly (an ID or email) comes first. The rest are most recently
// seen first: the later of the last sign-in and the last request of any
// session. At most limit users.
func (s *Service) Users(ctx context.Context, query string, limit int) ([]admin.UserSummary, error) {
	query = strings.TrimSpace(query)
	if limit <= 0 {
		return nil, nil
	}
	// The table orders users by sign-in; a session's requests can make a
	// user seen later than that. Every user in the first limit by either
	// time is in the table's first limit or holds a session, so the two
	// lists together hold the answer.
	us, err := s.o.Store.ListUsers(ctx, store.UserQuery{Match: query, Limit: limit})
	if err != nil {
		return nil, err
	}
	ss, err := s.o.Store.ListSessions(ctx, "")
	if err != nil {
		return nil, err
	}
	live := sessionsByUser(ss)
	recs := map[string]*store.User{} // nil: found by a session or by name, not read yet
	for i := range us {
		recs[us[i].ID] = &us[i]
	}
	for id, h := range live {
		if _, ok := recs[id]; !ok && matches(query, id, h.newest.Identity.Email, h.newest.Identity.Name) {
			recs[id] = nil
		}
	}
	// An exact name first, even if the limit would leave it out.
	var exact string
	if query != "" {
		if id, err := s.ResolveUser(ctx, query); err == nil {
			exact = id
			if _, ok := recs[id]; !ok {
				recs[id] = nil
			}
		}
	}
	order := make([]admin.UserSummary, 0, len(recs))
	for id, u := range recs {
		order = append(order, summarize(id, u, live[id]))
	}
	byRank := func(a, b admin.UserSummary) int {
		return cmp.Or(boolFirst(a.ID == exact, b.ID == exact), b.LastSeenAt.Compare(a.LastSeenAt), strings.Compare(a.ID, b.ID))
	}
	slices.SortFunc(order, byRank)
	if len(order) > limit {
		order = order[:limit]
	}
	now := s.clock()
	for i := range order {
		u := &order[i]
		if recs[u.ID] == nil {
			// Listed without its record: read it, for the name and the
			// verification the table keeps.
			got, err := s.o.Store.GetUser(ctx, u.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
			if got != nil {
				*u = summarize(u.ID, got, live[u.ID])
			}
		}
		u.Risk = s.o.Engine.Assess(u.ID, now).Level.String()
	}
	// A record read above may carry a later sign-in than its sessions show
	// (that session since ended): keep the order the times listed.
	slices.SortFunc(order, byRank)
	return order, nil
}

// held is what the live sessions of one user say.
type held struct {
	count    int
	lastSeen time.Time
	newest   *store.Session // the latest sign-in: the identity the table keeps
	ver      *identity.Verification
}

func sessionsByUser(ss []store.Session) map[string]*held {
	out := map[string]*held{}
	for i := range ss {
		x := &ss[i]
		h := out[x.UserID]
		if h == nil {
			h = &held{newest: x}
			out[x.UserID] = h
		}
		h.count++
		if x.LastSeenAt.After(h.lastSeen) {
			h.lastSeen = x.LastSeenAt
		}
		if x.CreatedAt.After(h.newest.CreatedAt) {
			h.newest = x
		}
		if v := x.Identity.Verification; v != nil && (h.ver == nil || v.VerifiedAt.After(h.ver.VerifiedAt)) {
			h.ver = v
		}
	}
	return out
}

// newestSession is the latest sign-in of ss, nil when ss is empty.
func newestSession(ss []store.Session) *store.Session {
	var latest *store.Session
	for i := range ss {
		if latest == nil || ss[i].CreatedAt.After(latest.CreatedAt) {
			latest = &ss[i]
		}
	}
	return latest
}

// summarize lists user id from its record u, or if nil (not read) from its
// newest session; with the later last-seen time and verification of the two.
func summarize(id string, u *store.User, h *held) admin.UserSummary {
	out := admin.UserSummary{ID: id}
	var ver *identity.Verification
	if u != nil {
		out.Provider, out.Email, out.Name, out.LastSeenAt, ver = u.Provider, u.Email, u.Name, u.LastSeenAt, u.Verification
	} else if h != nil {
		out.Provider, out.Email, out.Name = h.newest.Provider, h.newest.Identity.Email, h.newest.Identity.Name
	}
	if h != nil {
		out.Sessions = h.count
		if h.lastSeen.After(out.LastSeenAt) {
			out.LastSeenAt = h.lastSeen
		}
		if h.ver != nil && (ver == nil || h.ver.VerifiedAt.After(ver.VerifiedAt)) {
			ver = h.ver
		}
	}
	if ver != nil {
		out.Level = ver.Level
	}
	return out
}

// matches is the store's match (store.UserQuery) for a user known only by
// a session: query in the ID, email or name, ASCII case folded.
func matches(query string, fields ...string) bool {
	if query == "" {
		return true
	}
	q := asciiLower(query)
	for _, f := range fields {
		if strings.Contains(asciiLower(f), q) {
			return true
		}
	}
	return false
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// boolFirst orders true before false.
func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
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
	latest := newestSession(ss)
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
