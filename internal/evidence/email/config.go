package email

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// MinKeyLen is the shortest HMAC key accepted, in bytes.
const MinKeyLen = 32

// Defaults for zero Config fields.
const (
	DefaultTTL         = 10 * time.Minute
	DefaultMaxAttempts = 5
	DefaultLockout     = 15 * time.Minute
)

// DefaultSendLimits allow one code a minute and five an hour, per
// verification and per mailbox.
var DefaultSendLimits = []Limit{{Per: time.Minute, Max: 1}, {Per: time.Hour, Max: 5}}

// Limit allows at most Max sends in any window of length Per.
type Limit struct {
	Per time.Duration
	Max int
}

// Config holds the rules. Zero fields take the defaults above.
type Config struct {
	// Key is the server secret the code digests are keyed with, e.g.
	// keys.Derive(master, "vigil email otp v1"). Required.
	Key            []byte
	TTL            time.Duration // life of a code
	MaxAttempts    int           // wrong codes allowed per code before lockout
	Lockout        time.Duration // how long a mailbox stays locked after MaxAttempts wrong codes
	SendLimits     []Limit       // applied per verification and per mailbox
	AllowedDomains []string      // when non-empty, the only domains accepted (exact match, any case)
}

// withDefaults validates c and returns it with defaults filled in and the
// allowed domains normalised, reporting every problem at once.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if len(c.Key) < MinKeyLen {
		errs = append(errs, fmt.Errorf("key is %d bytes; at least %d are required", len(c.Key), MinKeyLen))
	}
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	} else if c.TTL < 0 {
		errs = append(errs, fmt.Errorf("ttl %v must be positive", c.TTL))
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	} else if c.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("max attempts %d must be positive", c.MaxAttempts))
	}
	if c.Lockout == 0 {
		c.Lockout = DefaultLockout
	} else if c.Lockout < 0 {
		errs = append(errs, fmt.Errorf("lockout %v must be positive", c.Lockout))
	}
	if c.SendLimits == nil {
		c.SendLimits = DefaultSendLimits
	}
	for _, l := range c.SendLimits {
		if l.Per <= 0 || l.Max <= 0 {
			errs = append(errs, fmt.Errorf("send limit %d per %v: both must be positive", l.Max, l.Per))
		}
	}
	c.SendLimits = append([]Limit(nil), c.SendLimits...)
	domains := make([]string, 0, len(c.AllowedDomains))
	for _, d := range c.AllowedDomains {
		n := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		if !validDomain(n) {
			errs = append(errs, fmt.Errorf("allowed domain %q is not a domain name", d))
			continue
		}
		domains = append(domains, n)
	}
	c.AllowedDomains = domains
	c.Key = append([]byte(nil), c.Key...)
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("email: invalid config: %w", errors.Join(errs...))
	}
	return c, nil
}

// window is the longest send-limit window: older sends no longer matter.
func (c Config) window() time.Duration {
	var w time.Duration
	for _, l := range c.SendLimits {
		w = max(w, l.Per)
	}
	return w
}
