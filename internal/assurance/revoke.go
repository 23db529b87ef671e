package assurance

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/audit"
	"github.com/vigil-gw/vigil/internal/store"
)

// Revoke ends sessions by session, user, app or provider, from the admin
// API or the CLI. Every replica drops them through the change feed.
func (s *Service) Revoke(ctx context.Context, r admin.Revocation) (int, error) {
	by := r.By
	if by == "" {
		by = "admin"
	}
	if (r.Scope == admin.ScopeApp || r.Scope == admin.ScopeProvider) && s.o.Known != nil && !s.o.Known(r.Scope, r.Key) {
		return 0, fmt.Errorf("%w: no %s named %q is configured", admin.ErrNotFound, r.Scope, r.Key)
	}
	switch r.Scope {
	case admin.ScopeSession:
		return s.revokeSession(ctx, r.Key, r.Reason, by)
	case admin.ScopeUser:
		return s.revokeUser(ctx, r.Key, r.Reason, by)
	case admin.ScopeProvider:
		return s.revokeProvider(ctx, r.Key, r.Reason, by)
	case admin.ScopeApp:
		now := s.clock()
		if err := s.o.Store.RevokeApp(ctx, r.Key, now); err != nil {
			return 0, fmt.Errorf("revoke app: %w", err)
		}
		// Here at once; other replicas on the change.
		m := map[string]time.Time{}
		for k, v := range *s.appRev.Load() {
			m[k] = v
		}
		m[r.Key] = now
		s.appRev.Store(&m)
		s.o.Audit.Write(&audit.Record{Time: now, Kind: "revoke", App: r.Key, Decision: "revoke-app", Reasons: reasons(r.Reason), Actor: by})
		return 1, nil
	}
	return 0, fmt.Errorf("%w: unknown scope %q", admin.ErrInvalid, r.Scope)
}

func (s *Service) revokeSession(ctx context.Context, id, reason, by string) (int, error) {
	// Read first, to tell the apps whose session it was.
	sess, err := s.o.Store.GetSession(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return 0, fmt.Errorf("%w: no session %q", admin.ErrNotFound, id)
	}
	if err != nil {
		return 0, fmt.Errorf("revoke session: %w", err)
	}
	s.note(ctx, sess.UserID, reason)
	if err := s.o.Sessions.Revoke(ctx, id); err != nil {
		return 0, fmt.Errorf("revoke session: %w", err)
	}
	s.revoked(ctx, []store.Session{*sess}, reason, by)
	return 1, nil
}

func (s *Service) revokeUser(ctx context.Context, userID, reason, by string) (int, error) {
	ss, listErr := s.o.Store.ListSessions(ctx, userID)
	s.note(ctx, userID, reason)
	n, err := s.o.Sessions.RevokeUser(ctx, userID)
	if err != nil {
		return n, fmt.Errorf("revoke user: %w", err)
	}
	if listErr == nil {
		s.revoked(ctx, ss, reason, by)
	}
	if len(ss) == 0 {
		s.o.Audit.Write(&audit.Record{Time: s.clock(), Kind: "revoke", User: userID, Decision: "revoke-user", Reasons: reasons(reason), Actor: by})
	}
	return n, nil
}

func (s *Service) revokeProvider(ctx context.Context, provider, reason, by string) (int, error) {
	all, err := s.o.Store.ListSessions(ctx, "")
	if err != nil {
		return 0, fmt.Errorf("revoke provider: %w", err)
	}
	var ss []store.Session
	for _, x := range all {
		if x.Provider == provider {
			ss = append(ss, x)
		}
	}
	noted := map[string]bool{}
	for _, x := range ss {
		if !noted[x.UserID] {
			noted[x.UserID] = true
			s.note(ctx, x.UserID, reason)
		}
	}
	n, err := s.o.Store.DeleteProviderSessions(ctx, provider)
	if err != nil {
		return n, fmt.Errorf("revoke provider: %w", err)
	}
	// This replica forgets them now (in one go, so that every session of a
	// user gets the note's reason); the others on the change.
	s.o.Sessions.Apply(store.Change{Kind: store.ChangeProviderRevoked, Key: provider})
	s.revoked(ctx, ss, reason, by)
	return n, nil
}

// revoked audits ended sessions and tells the subscribed apps.
func (s *Service) revoked(ctx context.Context, ss []store.Session, reason, by string) {
	now := s.clock()
	for i := range ss {
		x := &ss[i]
		s.o.Audit.Write(&audit.Record{Time: now, Kind: "revoke", User: x.UserID, Email: x.Identity.Email, Session: x.ID,
			Decision: "revoke", Reasons: reasons(reason), Actor: by})
		if s.o.Emitter != nil {
			s.o.Emitter.SessionRevoked(ctx, x, reason)
		}
	}
}

func reasons(r string) []string {
	if r == "" {
		return nil
	}
	return []string{r}
}

// note tells every replica, ahead of a revocation, what to tell the user
// whose sessions it ends. Without a note they are only told they were
// signed out; a failed note costs no more than that.
func (s *Service) note(ctx context.Context, userID, reason string) {
	if reason == "" {
		reason = "an administrator ended your session"
	}
	s.o.Sessions.Note(userID, reason)
	if _, err := s.o.Store.AppendChangeReason(ctx, store.ChangeRevokeNote, userID, reason, s.clock()); err != nil {
		s.log.Warn("announcing a revocation's reason failed", "user", userID, "err", err)
	}
}
