package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/metrics"
)

// VerifierServer runs only the built-in verification provider (and its
// review UI), for `vigil verifier`: the gateway then reaches it over the
// network like any verification provider.
type VerifierServer struct{ s *Server }

// NewVerifierServer opens the store and builds the verifier from cfg.IDV.
func NewVerifierServer(ctx context.Context, cfg *config.Config, opts Options) (_ *VerifierServer, err error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	secret, err := cfg.Session.Secret.Resolve()
	if err != nil {
		return nil, fmt.Errorf("session.secret: %w", err)
	}
	s := &Server{opts: opts, log: opts.Logger, master: []byte(secret), metrics: metrics.New(), started: opts.Clock()}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.db, s.newWaker, err = s.openStore(ctx, cfg); err != nil {
		return nil, err
	}
	if s.idv, err = newIDV(ctx, cfg, s, cfg.IDV.GatewayURL); err != nil {
		return nil, fmt.Errorf("idv: %w", err)
	}
	if cfg.IDV.Review.Listen != "" {
		if s.review, err = newReview(cfg, s); err != nil {
			return nil, fmt.Errorf("idv.review: %w", err)
		}
	}
	return &VerifierServer{s: s}, nil
}

// Serve listens on idv.listen (and idv.review.listen) until ctx ends.
func (v *VerifierServer) Serve(ctx context.Context, cfg *config.Config) error {
	l, err := net.Listen("tcp", cfg.IDV.Listen)
	if err != nil {
		return fmt.Errorf("idv.listen %s: %w", cfg.IDV.Listen, err)
	}
	servers := []*http.Server{{Handler: v.s.idv, ReadHeaderTimeout: 10 * time.Second}}
	listeners := []net.Listener{l}
	if v.s.review != nil {
		rl, err := net.Listen("tcp", cfg.IDV.Review.Listen)
		if err != nil {
			l.Close()
			return fmt.Errorf("idv.review.listen %s: %w", cfg.IDV.Review.Listen, err)
		}
		servers = append(servers, &http.Server{Handler: v.s.review, ReadHeaderTimeout: 10 * time.Second})
		listeners = append(listeners, rl)
	}
	errc := make(chan error, len(servers))
	for i := range servers {
		go func(i int) { errc <- servers[i].Serve(listeners[i]) }(i)
	}
	v.s.log.Info("vigil verifier serving", "listen", l.Addr().String(), "issuer", cfg.IDV.Issuer)
	bg, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	keysDone := make(chan struct{})
	go func() { v.s.opKeys.Run(bg); close(keysDone) }()
	go func() { v.s.idv.Run(bg); <-keysDone; close(done) }()
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	shut, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout.D())
	defer cancel()
	for _, srv := range servers {
		srv.Shutdown(shut)
	}
	stop()
	<-done
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close releases the store.
func (v *VerifierServer) Close() error { return v.s.Close() }
