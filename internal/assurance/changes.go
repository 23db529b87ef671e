package assurance

import (
	"context"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// Apply brings this replica up to date with one change from the store's
// feed: sessions are dropped by the session manager; a user's risk is
// reloaded from the store; app revocations are reloaded. It runs on the
// follower's goroutine, never on a request.
func (s *Service) Apply(c store.Change) {
	switch c.Kind {
	case store.ChangeRisk:
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		fs, err := s.o.Store.RiskFactors(ctx, c.Key)
		if err != nil {
			// Fail toward the store's truth on the next change; log now.
			s.log.Warn("reloading a user's risk after a change failed", "user", c.Key, "err", err)
			return
		}
		s.o.Engine.Replace(c.Key, fs)
	case store.ChangeAppRevoked:
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.reloadApps(ctx); err != nil {
			s.log.Warn("reloading app revocations failed", "err", err)
		}
	default:
		s.o.Sessions.Apply(c)
	}
}
