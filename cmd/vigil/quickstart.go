package main

import (
	"context"
	"io"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/quickstart"
)

func cmdQuickstart(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("quickstart", "vigil quickstart [flags]", stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "gateway address")
	idpListen := fs.String("idp-listen", "127.0.0.1:8081", "demo identity provider address")
	dataDir := fs.String("data", "", "directory for the database (default: a temporary one, removed on exit)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log := newLogger(config.Log{Level: "info", Format: *logFormat}, stderr)
	return quickstart.Run(ctx, quickstart.Options{
		Listen: *listen, IdPListen: *idpListen, DataDir: *dataDir,
		Out: stdout, Logger: log, AuditWriter: stderr,
	})
}
