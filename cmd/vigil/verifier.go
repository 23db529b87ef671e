package main

import (
	"context"
	"fmt"
	"io"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/server"
)

// cmdVerifier runs the built-in identity-verification provider alone.
func cmdVerifier(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verifier", "vigil verifier --config FILE", stderr)
	path := fs.String("config", "vigil.yaml", "configuration file with an idv section")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.LoadVerifier(*path)
	if err != nil {
		return usageError{fmt.Errorf("%s:\n%w", *path, err)}
	}
	log := newLogger(cfg.Log, stderr)
	vs, err := server.NewVerifierServer(ctx, cfg, server.Options{Logger: log})
	if err != nil {
		return err
	}
	defer vs.Close()
	return vs.Serve(ctx, cfg)
}
