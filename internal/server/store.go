package server

import (
	"context"
	"fmt"
	"io"

	"github.com/vigil-gw/vigil/internal/changes"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/store"
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
	}
	return nil, nil, fmt.Errorf("store.driver: %q is not supported", cfg.Store.Driver)
}
