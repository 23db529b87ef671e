package server

import (
	"context"
	"errors"
	"time"
)

// Run starts the background loops (session write-behind, key rotation,
// audit flushing, expired-record purge, shared configuration) and blocks
// until ctx ends.
func (s *Server) Run(ctx context.Context) {
	done := make(chan struct{}, 10)
	n := 6
	if s.idv != nil {
		n += 2
		go func() { s.idv.Run(ctx); done <- struct{}{} }()
		go func() { s.opKeys.Run(ctx); done <- struct{}{} }()
	}
	go func() { s.sessions.Run(ctx); done <- struct{}{} }()
	go func() { s.signer.Run(ctx); done <- struct{}{} }()
	go func() {
		s.audit.Run(ctx, time.Second, func(err error) { s.log.Error("audit log write failed", "err", err) })
		done <- struct{}{}
	}()
	go func() { s.purge(ctx); done <- struct{}{} }()
	go func() { s.assure.Run(ctx); done <- struct{}{} }()
	go func() {
		if err := s.follower.Run(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("change feed follower stopped", "err", err)
		}
		done <- struct{}{}
	}()
	if s.cfgSrc.enabled {
		n++
		go func() { s.cfgSrc.run(ctx); done <- struct{}{} }()
	}
	if s.transmitter != nil {
		n++
		go func() { s.transmitter.Run(ctx); done <- struct{}{} }()
	}
	if s.receiver != nil {
		n++
		go func() { s.receiver.RunPollers(ctx); done <- struct{}{} }()
	}
	for i := 0; i < n; i++ {
		<-done
	}
}

func (s *Server) purge(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := s.opts.Clock()
			if n, err := s.db.DeleteExpiredSessions(ctx, now); err != nil {
				s.log.Warn("purging expired sessions failed", "err", err)
			} else if n > 0 {
				s.log.Info("purged expired sessions", "count", n)
			}
			if _, err := s.db.PurgeUsed(ctx, now); err != nil {
				s.log.Warn("purging the replay ledger failed", "err", err)
			}
			// A replica that was away longer than this resynchronises from
			// the store rather than from the feed (see changes.Follower).
			if _, err := s.db.PurgeChanges(ctx, now.Add(-changeRetention)); err != nil {
				s.log.Warn("purging the change feed failed", "err", err)
			}
		}
	}
}

// Close releases the store and files. Call after Run returned.
func (s *Server) Close() error {
	var errs []error
	if s.sessions != nil {
		errs = append(errs, s.sessions.Close(context.Background()))
	}
	if s.audit != nil {
		errs = append(errs, s.audit.Flush())
	}
	if s.auditFile != nil {
		errs = append(errs, s.auditFile.Close())
	}
	if s.waiter != nil {
		errs = append(errs, s.waiter.Close())
	}
	if s.geo != nil {
		errs = append(errs, s.geo.Close())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	return errors.Join(errs...)
}
