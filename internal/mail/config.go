package mail

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"strings"
	"time"
)

// TLS modes.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which is mandatory (default)
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS, usually port 465)
	TLSNone     = "none"     // no TLS: loopback hosts only (a local relay or a test server)
)

// DefaultTimeout bounds each network step of a send when Config.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// Config says how to reach the SMTP server.
type Config struct {
	Host     string
	Port     int    // default 587 (starttls), 465 (tls) or 25 (none)
	Username string // empty: no SMTP AUTH
	Password string // the resolved secret; never logged
	From     string // RFC 5322 address, a display name allowed: "Vigil <no-reply@corp.example>"
	TLS      string // TLSStartTLS (default), TLSImplicit or TLSNone
	Timeout  time.Duration
	// RootCAs verifies the server certificate; nil means the system roots.
	// Set it for a private CA (and in tests), never to skip verification.
	RootCAs *x509.CertPool
}

// LogValue keeps the password out of logs that print the config.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("host", c.Host), slog.Int("port", c.Port), slog.String("username", c.Username),
		slog.Bool("password_set", c.Password != ""), slog.String("from", c.From), slog.String("tls", c.TLS),
		slog.Duration("timeout", c.Timeout),
	)
}

// withDefaults validates c and fills in defaults, reporting every problem.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	switch {
	case c.Host == "":
		errs = append(errs, errors.New("host is required"))
	case strings.ContainsAny(c.Host, " \t\r\n/@") || strings.HasPrefix(c.Host, "unix:"):
		errs = append(errs, fmt.Errorf("host %q is not a host name or IP address", c.Host))
	}
	defaultPort := 0
	switch c.TLS {
	case TLSStartTLS:
		defaultPort = 587
	case TLSImplicit:
		defaultPort = 465
	case TLSNone:
		defaultPort = 25
		if c.Host != "" && !IsLoopback(c.Host) {
			errs = append(errs, fmt.Errorf("tls %q is only allowed for a loopback host (localhost, 127.0.0.0/8, ::1), not %q: use %q or %q",
				TLSNone, c.Host, TLSStartTLS, TLSImplicit))
		}
	default:
		errs = append(errs, fmt.Errorf("tls %q is not one of %q, %q, %q", c.TLS, TLSStartTLS, TLSImplicit, TLSNone))
	}
	if c.Port == 0 {
		c.Port = defaultPort
	} else if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d is out of range", c.Port))
	}
	if (c.Username == "") != (c.Password == "") {
		errs = append(errs, errors.New("username and password go together: set both or neither"))
	}
	if strings.ContainsAny(c.Username, "\x00\r\n") {
		errs = append(errs, errors.New("username contains a control character"))
	}
	if c.From == "" {
		errs = append(errs, errors.New("from is required"))
	} else if _, err := netmail.ParseAddress(c.From); err != nil || strings.ContainsAny(c.From, "\r\n") {
		errs = append(errs, fmt.Errorf("from %q is not an email address", c.From))
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	} else if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout %v must be positive", c.Timeout))
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("mail: invalid config: %w", errors.Join(errs...))
	}
	return c, nil
}

// IsLoopback reports whether host names this machine: "localhost" or a
// loopback IP address. No DNS lookup is made: a name that merely resolves
// to a loopback address does not count.
func IsLoopback(host string) bool {
	h := strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
