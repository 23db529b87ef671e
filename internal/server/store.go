package server

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/vigil-gw/vigil/internal/changes"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/postgres"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// waker is a change-feed wake-up the server must close.
type waker interface {
	changes.Waker
	io.Closer
}

// openStore opens the configured backend and says how to wake this
// replica's change-feed follower when another process writes.
func (s *Server) openStore(ctx context.Context, cfg *config.Config) (store.Backend, func(context.Context) (waker, error), error) {
	switch cfg.Store.Driver {
	case "sqlite":
		if err := createPrivate(cfg.Store.DSN); err != nil {
			return nil, nil, fmt.Errorf("store.dsn: %w", err)
		}
		db, err := sqlite.Open(ctx, cfg.Store.DSN, sqlite.Options{Observe: s.metrics.StoreQuery})
		if err != nil {
			return nil, nil, fmt.Errorf("opening store: %w", err)
		}
		// SQLite has no LISTEN: a pinned connection polls data_version.
		return db, func(ctx context.Context) (waker, error) { return db.NewWaiter(ctx, 0) }, nil
	case "postgres":
		db, err := postgres.Open(ctx, cfg.Store.DSN, postgres.Options{Observe: s.metrics.StoreQuery})
		if err != nil {
			return nil, nil, fmt.Errorf("opening store: %w", err)
		}
		// LISTEN/NOTIFY on a connection of its own; a lost connection makes
		// the follower re-read the feed from its last change.
		return db, func(ctx context.Context) (waker, error) { return db.NewWaiter(ctx) }, nil
	}
	return nil, nil, fmt.Errorf("store.driver: %q is not supported", cfg.Store.Driver)
}

// failClosedStale is the bound under store.fail_closed: the follower reads
// the feed every second, so a few seconds without a read means the store
// is gone, not slow.
const failClosedStale = 5 * time.Second

// staleFor says when this replica's cached sessions may no longer be
// trusted: its change feed has not been read for longer than the bound
// (store.max_stale, or a few seconds with store.fail_closed), so a
// revocation made meanwhile may be waiting. The request path reads one
// atomic time; the store itself is never asked.
func (s *Server) staleFor(c config.Store) func(now time.Time) bool {
	bound := c.MaxStale.D()
	if c.FailClosed {
		bound = failClosedStale
	}
	return func(now time.Time) bool {
		last := s.follower.Synced()
		if last.IsZero() {
			last = s.started
		}
		return now.Sub(last) > bound
	}
}
