package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// MaxFileSize bounds the config file; a larger one is refused unread.
const MaxFileSize = 4 << 20

// Load reads, defaults and validates the file at path. The error, when not
// nil, lists every problem found, one per line, each with its path.
func Load(path string) (*Config, error) {
	b, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(b)
}

// LoadVerifier reads a file for `vigil verifier`, which runs only the
// built-in verification provider: apps and providers are not needed.
func LoadVerifier(path string) (*Config, error) {
	b, err := readFile(path)
	if err != nil {
		return nil, err
	}
	c, err := decode(b)
	if err != nil {
		return nil, err
	}
	if err := c.ValidateVerifier(); err != nil {
		return nil, err
	}
	return c, nil
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: reading %s: %w", path, err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("config: %s is larger than %d bytes", path, MaxFileSize)
	}
	return b, nil
}

// Parse decodes YAML, fills defaults and validates. Unknown keys are errors,
// so that a misspelt option is never silently ignored.
func Parse(b []byte) (*Config, error) {
	c, err := decode(b)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// decode reads YAML strictly and fills the defaults.
func decode(b []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("config: the file is empty")
		}
		return nil, fmt.Errorf("config: %s", cleanYAMLError(err))
	}
	// A second document would be silently ignored otherwise.
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("config: the file holds more than one YAML document")
	}
	c.SetDefaults()
	return &c, nil
}

func cleanYAMLError(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "yaml: ")
	return strings.ReplaceAll(s, "\n  ", "\n")
}

// SetDefaults fills every unset field that has a default.
func (c *Config) SetDefaults() {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	defDur := func(d *Duration, v time.Duration) {
		if *d == 0 {
			*d = Duration(v)
		}
	}
	def(&c.Server.Listen, ":8080")
	defDur(&c.Server.ShutdownTimeout, 15*time.Second)
	c.Server.PublicURL = strings.TrimRight(c.Server.PublicURL, "/")
	if c.Session.CookieName == "" {
		c.Session.CookieName = "vigil_session"
		if strings.HasPrefix(c.Server.PublicURL, "https://") && c.Session.CookieDomain == "" {
			c.Session.CookieName = "__Host-vigil_session"
		}
	}
	c.Session.CookieDomain = strings.TrimPrefix(strings.ToLower(c.Session.CookieDomain), ".")
	defDur(&c.Session.AbsoluteTimeout, 12*time.Hour)
	defDur(&c.Session.IdleTimeout, time.Hour)
	def(&c.Store.Driver, "sqlite")
	if c.Store.MaxStale == 0 {
		c.Store.MaxStale = Duration(2 * time.Minute)
	}
	def(&c.Store.DSN, "vigil.db")
	def(&c.Assertion.Header, "X-Vigil-Assertion")
	defDur(&c.Assertion.TTL, 5*time.Minute)
	defDur(&c.Assertion.KeyRotation, 24*time.Hour)
	def(&c.Log.Level, "info")
	def(&c.Log.Format, "json")
	def(&c.Log.Audit, "stdout")
	for i := range c.Providers {
		p := &c.Providers[i]
		def(&p.Title, p.Name)
		p.Issuer = strings.TrimRight(p.Issuer, "/")
		if len(p.Scopes) == 0 {
			p.Scopes = []string{"openid", "email", "profile"}
		}
		if !contains(p.Scopes, "openid") {
			p.Scopes = append([]string{"openid"}, p.Scopes...)
		}
		def(&p.Claims.Email, "email")
		def(&p.Claims.Groups, "groups")
		def(&p.Claims.Name, "name")
		if len(p.SigningAlgs) == 0 {
			p.SigningAlgs = []string{"RS256", "ES256"}
		}
		defDur(&p.ClockSkew, time.Minute)
	}
	c.idvDefaults()
	c.riskDefaults()
	for i := range c.Verifiers {
		v := &c.Verifiers[i]
		v.Issuer = strings.TrimRight(v.Issuer, "/")
		if !contains(v.Scopes, "openid") {
			v.Scopes = append([]string{"openid"}, v.Scopes...)
		}
		if len(v.SigningAlgs) == 0 {
			v.SigningAlgs = []string{"RS256", "ES256"}
		}
		defDur(&v.ClockSkew, time.Minute)
		def(&v.LoginHint, LoginHintEmail)
	}
	for i := range c.Apps {
		a := &c.Apps[i]
		def(&a.PathPrefix, "/")
		// "/admin/" and "/admin" mean the same app; without the slash the
		// bare "/admin" cannot slip past to a weaker app at "/".
		if len(a.PathPrefix) > 1 {
			a.PathPrefix = strings.TrimRight(a.PathPrefix, "/")
			if a.PathPrefix == "" {
				a.PathPrefix = "/"
			}
		}
		a.Host = strings.ToLower(strings.TrimRight(a.Host, "."))
	}
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
