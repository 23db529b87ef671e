package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/server"
)

func newLogger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "vigil serve --config FILE", stderr)
	path := fs.String("config", "vigil.yaml", "configuration file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadChecked(*path)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, stderr)
	srv, err := server.New(ctx, cfg, server.Options{Logger: log})
	if err != nil {
		return err
	}
	defer srv.Close()
	l, err := srv.Listen()
	if err != nil {
		return err
	}
	// SIGHUP reloads; a file that fails to load or build keeps the
	// running configuration, and the log says why. Caught before the
	// serving line, so that a signal sent once it is seen never kills.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	run := srv.Config() // the file, or a shared version merged with it
	log.Info("vigil serving", "listen", l.Main.Addr().String(), "public_url", cfg.Server.PublicURL,
		"apps", len(run.Apps), "providers", len(run.Providers), "config", srv.ConfigSource(), "version", version)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				reload(ctx, srv, *path, log)
			}
		}
	}()
	err = srv.Serve(ctx, l)
	log.Info("vigil stopped")
	return err
}

func reload(ctx context.Context, srv *server.Server, path string, log *slog.Logger) {
	cfg, err := config.Load(path)
	if err == nil {
		err = srv.Reload(ctx, cfg)
	}
	if err != nil {
		var joined interface{ Unwrap() []error }
		if errors.As(err, &joined) {
			log.Error("reload failed; keeping the running configuration", "file", path, "problems", fmt.Sprint(joined.Unwrap()))
			return
		}
		log.Error("reload failed; keeping the running configuration", "file", path, "err", err)
		return
	}
	if src := srv.ConfigSource(); src != "file" {
		// Only the file's per-replica sections changed; a stored version
		// is what every replica shares.
		log.Info("configuration reloaded: server, session, store, assertion, log, admin and ssf from the file; "+
			"providers, verifiers, idv, risk and apps still from the store", "file", path, "config", src)
		return
	}
	log.Info("configuration reloaded", "file", path, "apps", len(cfg.Apps), "providers", len(cfg.Providers))
}
