package server

import (
	"context"
	"errors"
	"strconv"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/authn"
	"github.com/vigil-gw/vigil/internal/store"
)

// backchannelSessions lets back-channel logout find sessions in the store
// and end them through the session manager (cache eviction, hooks).
type backchannelSessions struct{ s *Server }

var _ authn.BackchannelSessions = backchannelSessions{}

func (b backchannelSessions) SessionsBySID(ctx context.Context, provider, sid string) ([]store.Session, error) {
	return b.s.db.SessionsBySID(ctx, provider, sid)
}

// backchannelReason is what a user signed out by their identity provider
// reads on their next request.
const backchannelReason = "your identity provider ended your sign-in"

// Revoke and RevokeUser go through continuous assurance, like any other
// revocation: every replica, the reason for the user, the audit log and
// the subscribed apps.
func (b backchannelSessions) Revoke(ctx context.Context, sessionID string) error {
	_, err := b.s.assure.Revoke(ctx, admin.Revocation{Scope: admin.ScopeSession, Key: sessionID, Reason: backchannelReason, By: "backchannel-logout"})
	// Gone already (signed out, expired, a concurrent logout): nothing to end.
	if errors.Is(err, admin.ErrNotFound) {
		return nil
	}
	return err
}

func (b backchannelSessions) RevokeUser(ctx context.Context, userID string) (int, error) {
	return b.s.assure.Revoke(ctx, admin.Revocation{Scope: admin.ScopeUser, Key: userID, Reason: backchannelReason, By: "backchannel-logout"})
}

// LoggedOut writes one audit record per user a logout token signed out.
// audit.Record has no provider or count field, so both ride in Reasons.
func (b backchannelSessions) LoggedOut(_ context.Context, ev authn.BackchannelLogout) {
	sessionID := ""
	if len(ev.Sessions) == 1 {
		sessionID = ev.Sessions[0]
	}
	rec := auditRecord(b.s, "backchannel-logout", sessionID, ev.UserID, "", "")
	rec.Reasons = []string{"provider:" + ev.Provider, "sessions:" + strconv.Itoa(ev.Count)}
	b.s.audit.Write(rec)
}
