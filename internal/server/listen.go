package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/vigil-gw/vigil/internal/audit"
)

// Listeners are the sockets Serve uses; tests pass ones bound to port 0.
type Listeners struct {
	Main    net.Listener
	Metrics net.Listener // nil: no metrics listener
	Review  net.Listener // the verifier's review UI; nil: none
}

// Listen binds the configured addresses, with a clear error for a busy port.
func (s *Server) Listen() (Listeners, error) {
	cfg := s.Config()
	var l Listeners
	var err error
	if l.Main, err = net.Listen("tcp", cfg.Server.Listen); err != nil {
		return l, fmt.Errorf("server.listen %s: %w (is another process using the port?)", cfg.Server.Listen, err)
	}
	if cfg.Server.MetricsListen != "" {
		if l.Metrics, err = net.Listen("tcp", cfg.Server.MetricsListen); err != nil {
			l.Main.Close()
			return l, fmt.Errorf("server.metrics_listen %s: %w", cfg.Server.MetricsListen, err)
		}
	}
	if s.review != nil {
		if l.Review, err = net.Listen("tcp", cfg.IDV.Review.Listen); err != nil {
			l.Main.Close()
			if l.Metrics != nil {
				l.Metrics.Close()
			}
			return l, fmt.Errorf("idv.review.listen %s: %w", cfg.IDV.Review.Listen, err)
		}
	}
	return l, nil
}

// Serve serves until ctx ends, then shuts down gracefully within the
// configured timeout. Background loops run alongside.
func (s *Server) Serve(ctx context.Context, l Listeners) error {
	cfg := s.Config()
	main := &http.Server{
		Handler: s.Handler(),
		// No WriteTimeout: streamed responses and WebSockets live long.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          nil,
	}
	servers := []*http.Server{main}
	errc := make(chan error, 3)
	go func() {
		var err error
		if cfg.Server.TLS.CertFile != "" {
			err = main.ServeTLS(l.Main, cfg.Server.TLS.CertFile, cfg.Server.TLS.KeyFile)
		} else {
			err = main.Serve(l.Main)
		}
		errc <- err
	}()
	if l.Metrics != nil {
		mux := http.NewServeMux()
		mux.Handle("/metrics", s.MetricsHandler())
		ms := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, ms)
		go func() { errc <- ms.Serve(l.Metrics) }()
	}
	if l.Review != nil && s.review != nil {
		rs := &http.Server{Handler: s.review, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, rs)
		go func() { errc <- rs.Serve(l.Review) }()
	}
	bg, stopBG := context.WithCancel(context.Background())
	bgDone := make(chan struct{})
	go func() { s.Run(bg); close(bgDone) }()

	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout.D())
	defer cancel()
	for _, srv := range servers {
		srv.Shutdown(shutCtx)
	}
	stopBG()
	<-bgDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func auditRecord(s *Server, kind, sessionID, user, email, ip string) *audit.Record {
	return &audit.Record{Time: s.opts.Clock(), Kind: kind, Session: sessionID, User: user, Email: email, IP: ip, Decision: kind}
}
