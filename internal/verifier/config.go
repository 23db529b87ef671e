package verifier

import (
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/emrtd"
	"github.com/vigil-gw/vigil/internal/evidence/face"
	"github.com/vigil-gw/vigil/internal/evidence/ocr"
	"github.com/vigil-gw/vigil/internal/evidence/trust"
	"github.com/vigil-gw/vigil/internal/keys"
	"github.com/vigil-gw/vigil/internal/mail"
	"github.com/vigil-gw/vigil/internal/oidcop"
)

// Sender delivers mail (internal/mail.SMTP implements it).
type Sender interface {
	Send(ctx context.Context, m mail.Message) error
}

// MRZReader reads the MRZ lines of a document photo (internal/evidence/ocr
// implements it).
type MRZReader interface {
	ReadMRZ(ctx context.Context, img []byte) (ocr.Result, error)
}

var (
	_ Sender    = (*mail.SMTP)(nil)
	_ MRZReader = (*ocr.Reader)(nil)
)

// FaceMatcher describes and compares faces (internal/evidence/face
// implements it).
type FaceMatcher interface {
	Describe(img []byte) (*face.Probe, error)
	DescribePortrait(img []byte) (*face.Probe, error)
	Compare(a, b *face.Probe) face.Result
	Threshold() (threshold, margin float32)
	// Locate and DescribeLocated split Describe for liveness bursts.
	Locate(img []byte) (*face.Located, error)
	DescribeLocated(l *face.Located) (*face.Probe, error)
}

var _ FaceMatcher = (*face.Matcher)(nil)

// Defaults for zero Config fields.
const (
	DefaultEvidenceRetention    = 30 * 24 * time.Hour
	DefaultVerificationLifetime = 24 * time.Hour
	DefaultRequestLifetime      = 30 * time.Minute
	// MaxUpload is the largest image accepted, in bytes.
	MaxUpload = 10 << 20
)

// Config configures a Verifier. Issuer, Clients, Master, Store, Mail and
// OCR are required.
type Config struct {
	Issuer  string
	Clients []oidcop.Client
	// Master is the configured secret; the code, document and subject keys
	// and the evidence key are derived from it (internal/keys).
	Master []byte
	Store  Store
	Mail   Sender
	// From names the sender in the text of the code mail, e.g. "Example
	// Corp IT". The envelope sender is the mailer's.
	From string
	OCR  MRZReader
	// AllowedEmailDomains, when set, are the only work email domains.
	AllowedEmailDomains []string
	// Hints, when set, verifies Vigil assertions sent as login_hint (the
	// gateway's login_hint: assertion), so the document's name is compared
	// with the account's. Nil: a signed login_hint is refused.
	Hints HintVerifier
	// Faces compares the selfie with the ID portrait (the chip's, else the
	// document photo's). Nil: the reviewer compares alone.
	Faces FaceMatcher
	// AutoDecide lets the verifier approve a chip-rung verification whose
	// chip, liveness and face match all passed with margin, and reject a
	// clear face mismatch against the chip's portrait; everything else goes
	// to a reviewer. Needs Faces and Trust.
	AutoDecide bool
	// Trust holds the CSCAs whose chips are accepted (internal/evidence/trust).
	// Nil: the chip rung (RungChip) is not offered.
	Trust emrtd.Trust
	// Organization is check_details.organization in verified_claims.
	Organization string
	// EvidenceRetention is how long sealed images are kept (default 30
	// days); VerificationLifetime how long an unfinished verification lives
	// (default 24h); RequestLifetime how long an auth request waits for the
	// flow (default 30m).
	EvidenceRetention    time.Duration
	VerificationLifetime time.Duration
	RequestLifetime      time.Duration
	// Keys signs ID tokens and publishes the JWKS (internal/opkeys: stored,
	// rotating, shared by replicas). When nil, SigningKey (or a generated
	// RSA 2048 key) is used, which does not survive a restart.
	Keys oidcop.KeySource
	// SigningKey signs ID tokens when Keys is nil; nil generates a key.
	SigningKey crypto.Signer
	// OnDuplicateFace is told when a selfie matches another verified
	// person's face (the gateway raises duplicate-face risk on both
	// accounts). Called after the verification is stored, on the request's
	// goroutine: it must not block for long. Nil: only the reviewer sees it.
	OnDuplicateFace func(ctx context.Context, d DuplicateFace)
	Clock           func() time.Time
	Rand            io.Reader
	Logger          *slog.Logger
}

// check fills defaults and reports every problem at once.
func (c Config) check() (Config, error) {
	var errs []error
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	// A nil *trust.Store in the interface would offer the chip rung and
	// then fail every reading: treat it as no trust store.
	if ts, ok := c.Trust.(*trust.Store); ok && ts == nil {
		c.Trust = nil
	}
	if fm, ok := c.Faces.(*face.Matcher); ok && fm == nil {
		c.Faces = nil
	}
	if c.Organization == "" {
		c.Organization = "Vigil"
	}
	if c.From == "" {
		c.From = c.Organization
	}
	def := func(name string, d *time.Duration, v time.Duration) {
		switch {
		case *d == 0:
			*d = v
		case *d < 0:
			errs = append(errs, fmt.Errorf("%s %v must be positive", name, *d))
		}
	}
	def("evidence retention", &c.EvidenceRetention, DefaultEvidenceRetention)
	def("verification lifetime", &c.VerificationLifetime, DefaultVerificationLifetime)
	def("request lifetime", &c.RequestLifetime, DefaultRequestLifetime)
	if _, err := oidcop.CheckIssuer(c.Issuer); err != nil {
		errs = append(errs, err)
	}
	if len(c.Clients) == 0 {
		errs = append(errs, errors.New("at least one client is required"))
	}
	if len(c.Master) < keys.MinSecretLen {
		errs = append(errs, fmt.Errorf("master secret is %d bytes; at least %d are required", len(c.Master), keys.MinSecretLen))
	}
	if c.Store == nil {
		errs = append(errs, errors.New("a store is required"))
	}
	if c.Mail == nil {
		errs = append(errs, errors.New("a mail sender is required"))
	}
	if c.OCR == nil {
		errs = append(errs, errors.New("an OCR reader is required"))
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("verifier: invalid config: %w", errors.Join(errs...))
	}
	return c, nil
}
