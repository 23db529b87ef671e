package main

import (
	"bytes"
	"context"
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

// adminClient calls the admin API.
type adminClient struct {
	base  string
	token string
	http  *http.Client
}

func (a *adminFlags) client() (*adminClient, error) {
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
	return &adminClient{base: strings.TrimRight(server, "/") + admin.BasePath, token: token,
		http: &http.Client{Timeout: 30 * time.Second}}, nil
}

// call sends body (nil for GET) and decodes the JSON answer into out.
func (c *adminClient) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if user := os.Getenv("USER"); user != "" {
		req.Header.Set("X-Vigil-Admin", user)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("calling the admin API: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("reading the admin API's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return fmt.Errorf("%s (%s, HTTP %d)", e.Description, e.Error, resp.StatusCode)
		}
		return fmt.Errorf("admin API answered HTTP %d", resp.StatusCode)
	}
	return json.Unmarshal(data, out)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
