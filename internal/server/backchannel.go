package server

import (
	"context"
	"errors"
	"strconv"

	"github.com/vigil-gw/vigil/internal/authn"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/store"
)

// backchannelSessions lets back-channel logout find sessions in the store
// and end them through the session manager (cache eviction, hooks).
type backchannelSessions struct{ s *Server }

var _ authn.BackchannelSessions = backchannelSessions{}

func (b backchannelSessions) SessionsBySID(ctx context.Context, provider, sid string) ([]store.Session, error) {
	return b.s.db.SessionsBySID(ctx, provider, sid)
}

func (b backchannelSessions) Revoke(ctx context.Context, sessionID string) error {
	// Gone already (signed out, expired, a concurrent logout): nothing to end.
	if err := b.s.sessions.Revoke(ctx, sessionID); err != nil && !errors.Is(err, session.ErrNoSession) {
		return err
	}
	return nil
}

func (b backchannelSessions) RevokeUser(ctx context.Context, userID string) (int, error) {
	return b.s.sessions.RevokeUser(ctx, userID)
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
