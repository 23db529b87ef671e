package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/config"
)

// adminFlags are the flags every admin API command shares.
type adminFlags struct {
	server, config, tokenFile, output string
}

func (a *adminFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.server, "server", os.Getenv("VIGIL_SERVER"), "Vigil's public URL (default $VIGIL_SERVER, or server.public_url of --config)")
	fs.StringVar(&a.config, "config", "", "read the server URL and admin token from this configuration file")
	fs.StringVar(&a.tokenFile, "token-file", "", "file holding the admin token (default $VIGIL_ADMIN_TOKEN, or admin.token of --config)")
	fs.StringVar(&a.output, "output", "table", "output format: table or json")
}

func (a *adminFlags) client() (*admin.Client, error) {
	if a.output != "table" && a.output != "json" {
		return nil, usageError{fmt.Errorf("--output: want table or json, got %q", a.output)}
	}
	server, token := a.server, os.Getenv("VIGIL_ADMIN_TOKEN")
	if a.config != "" {
		// Only the public URL and the admin token: an operator's machine
		// need not hold the providers' secrets to revoke a session.
		b, err := os.ReadFile(a.config)
		if err != nil {
			return nil, usageError{fmt.Errorf("--config: %w", err)}
		}
		var cfg struct {
			Server struct {
				PublicURL string `yaml:"public_url"`
			} `yaml:"server"`
			Admin config.Admin `yaml:"admin"`
		}
		if err := yaml.Unmarshal(b, &cfg); err != nil {
			return nil, usageError{fmt.Errorf("%s: %w", a.config, err)}
		}
		if server == "" {
			server = cfg.Server.PublicURL
		}
		if token == "" && !cfg.Admin.Token.IsZero() {
			if token, err = cfg.Admin.Token.Resolve(); err != nil {
				return nil, usageError{fmt.Errorf("admin.token: %w", err)}
			}
		}
	}
	if a.tokenFile != "" {
		b, err := os.ReadFile(a.tokenFile)
		if err != nil {
			return nil, usageError{fmt.Errorf("--token-file: %w", err)}
		}
		token = strings.TrimSpace(string(b))
	}
	if server == "" {
		return nil, usageError{errors.New("no server: pass --server URL, --config FILE or set VIGIL_SERVER")}
	}
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageError{fmt.Errorf("--server: want an http(s) URL, got %q", server)}
	}
	if token == "" {
		return nil, usageError{errors.New("no admin token: pass --token-file FILE, --config FILE or set VIGIL_ADMIN_TOKEN")}
	}
	return &admin.Client{Base: strings.TrimRight(server, "/"), Token: token, Actor: os.Getenv("USER"),
		HTTP: &http.Client{Timeout: 30 * time.Second}}, nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
