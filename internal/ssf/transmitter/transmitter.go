// Package transmitter is Vigil's Shared Signals Framework 1.0 transmitter:
// the discovery document, the stream management API (RFC 6750 bearer tokens,
// one token per configured receiver), and delivery of signed SETs by push
// (RFC 8935) and poll (RFC 8936).
//
// A receiver only ever sees and changes its own stream. Push endpoints are
// limited to the prefixes configured for the receiver, so a management
// token cannot turn Vigil into a request forwarder, and redirects are never
// followed. The package never logs SETs, bearer tokens or push
// authorization headers.
package transmitter

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/ssf/set"
	"github.com/vigil-gw/vigil/internal/store"
)

// Receiver is an application allowed to manage a stream, from config.
type Receiver struct {
	Name     string
	Audience string // aud of its stream's SETs (default: Name)
	// Token is the bearer token of the management API, at least 16 bytes.
	Token []byte
	// PushEndpoints are the URL prefixes its push endpoint_url may start
	// with (scheme, host and a path prefix ending at a segment boundary).
	// Empty means the receiver may only poll.
	PushEndpoints []string
}

// Store is what the transmitter keeps (see store.Stream).
type Store interface {
	CreateStream(ctx context.Context, s *store.Stream) error
	GetStream(ctx context.Context, id string) (*store.Stream, error)
	ListStreams(ctx context.Context, audience string) ([]store.Stream, error)
	UpdateStream(ctx context.Context, s *store.Stream) error
	DeleteStream(ctx context.Context, id string) error
	AddStreamSubject(ctx context.Context, sub *store.StreamSubject) error
	RemoveStreamSubject(ctx context.Context, streamID, key string) error
	StreamSubjects(ctx context.Context, streamID string) ([]store.StreamSubject, error)
	EnqueueEvent(ctx context.Context, e *store.StreamEvent) error
	PendingEvents(ctx context.Context, streamID string, now time.Time, limit int) ([]store.StreamEvent, error)
	CountStreamEvents(ctx context.Context, streamID string) (int, error)
	AckEvents(ctx context.Context, streamID string, jtis []string) (int, error)
	RetryEvent(ctx context.Context, streamID, jti string, attempts int, next time.Time, lastError string) error
	// The push lease (see store/lease.go): one replica pushes at a time.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, time.Time, error)
	ReleaseLease(ctx context.Context, name, holder string) error
}

// Options configure a Transmitter.
type Options struct {
	Issuer    string // Vigil's public URL: the SET iss and the discovery issuer
	BasePath  string // where the management endpoints live; default "/.vigil/ssf"
	Store     Store
	Signer    *set.Signer
	JWKS      *jose.JSONWebKeySet // public keys, served at BasePath+"/jwks.json"
	Receivers []Receiver
	// DefaultSubjects is "NONE" (default: a stream carries events only about
	// subjects its receiver added) or "ALL" (every subject but those the
	// receiver removed).
	DefaultSubjects string
	HTTPClient      *http.Client // push delivery; default: 10 s timeout
	Clock           func() time.Time
	Rand            io.Reader
	Logger          *slog.Logger
	MaxAttempts     int // push attempts per SET before it is dropped; default 8
	// MaxQueued bounds the SETs one stream holds (paused, unpolled or
	// failing); the oldest are dropped beyond it. Default 1000.
	MaxQueued int
	// MinVerificationInterval is the least time between two verification
	// requests on a stream (429 otherwise); default 10 s.
	MinVerificationInterval time.Duration
	// LeaseTTL is how long this replica's claim to be the one that pushes
	// lasts unless renewed (every third of it): when the pushing replica
	// dies, another takes over when the claim expires, at its next try (a
	// third of the TTL at most). Default 15 s; at least 50 ms.
	LeaseTTL time.Duration
}

// Delivery methods (SSF 1.0 section 6).
const (
	MethodPush = "urn:ietf:rfc:8935"
	MethodPoll = "urn:ietf:rfc:8936"
)

const (
	defaultBasePath    = "/.vigil/ssf"
	defaultMaxAttempts = 8
	defaultMaxQueued   = 1000
	backoffBase        = time.Second
	backoffCap         = 5 * time.Minute
	minTokenLen        = 16
)

// Transmitter serves the management API and delivers SETs. It is safe for
// concurrent use.
type Transmitter struct {
	issuer    string
	base      string // BasePath
	pathPre   string // the issuer's path, under which every route lives
	store     Store
	signer    *set.Signer
	jwks      *jose.JSONWebKeySet
	receivers []receiver
	allSubs   bool
	client    *http.Client
	clock     func() time.Time
	rand      io.Reader
	log       *slog.Logger
	maxTries  int
	maxQueued int
	minVerify time.Duration
	pollWait  time.Duration
	replica   string        // this replica's holder name for the push lease
	leaseTTL  time.Duration // see Options.LeaseTTL

	queued  signal      // broadcast whenever a SET is queued, here or (Apply) elsewhere
	pushing atomic.Bool // this replica holds the push lease and delivers

	mu         sync.Mutex
	lastStamp  time.Time            // CreatedAt of the last queued SET (kept increasing)
	lastVerify map[string]time.Time // stream ID -> last verification request
}

// receiver is a Receiver with its checked push prefixes.
type receiver struct {
	Receiver
	tokenHash [32]byte
	prefixes  []*url.URL
}

// New checks o and returns a Transmitter.
func New(o Options) (*Transmitter, error) {
	iss, err := checkBaseURL(o.Issuer)
	if err != nil {
		return nil, fmt.Errorf("transmitter: issuer: %w", err)
	}
	base := o.BasePath
	if base == "" {
		base = defaultBasePath
	}
	if !strings.HasPrefix(base, "/") || strings.HasSuffix(base, "/") || strings.ContainsAny(base, "?#{} ") {
		return nil, fmt.Errorf("transmitter: base path %q must start and not end with /", base)
	}
	switch {
	case o.Store == nil:
		return nil, errors.New("transmitter: no store")
	case o.Signer == nil:
		return nil, errors.New("transmitter: no signer")
	case o.JWKS == nil || len(publicKeys(o.JWKS).Key(o.Signer.KeyID())) == 0:
		return nil, errors.New("transmitter: the JWKS lacks the signer's public key")
	}
	t := &Transmitter{
		issuer: strings.TrimSuffix(iss.String(), "/"), base: base, pathPre: strings.TrimSuffix(iss.Path, "/"),
		store: o.Store, signer: o.Signer, jwks: publicKeys(o.JWKS),
		client: o.HTTPClient, clock: o.Clock, rand: o.Rand, log: o.Logger,
		maxTries: o.MaxAttempts, maxQueued: o.MaxQueued, minVerify: o.MinVerificationInterval,
		lastVerify: map[string]time.Time{}, pollWait: pollWait, leaseTTL: o.LeaseTTL,
	}
	switch o.DefaultSubjects {
	case "", "NONE":
	case "ALL":
		t.allSubs = true
	default:
		return nil, fmt.Errorf("transmitter: default subjects %q must be NONE or ALL", o.DefaultSubjects)
	}
	if t.receivers, err = checkReceivers(o.Receivers); err != nil {
		return nil, err
	}
	if t.client == nil {
		t.client = &http.Client{Timeout: 10 * time.Second}
	}
	// Never follow a redirect: it could lead outside the allowed prefixes.
	c := *t.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	t.client = &c
	if t.clock == nil {
		t.clock = time.Now
	}
	if t.rand == nil {
		t.rand = rand.Reader
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	if t.maxTries <= 0 {
		t.maxTries = defaultMaxAttempts
	}
	if t.maxQueued <= 0 {
		t.maxQueued = defaultMaxQueued
	}
	if t.minVerify <= 0 {
		t.minVerify = 10 * time.Second
	}
	switch {
	case t.leaseTTL == 0:
		t.leaseTTL = defaultLeaseTTL
	case t.leaseTTL < minLeaseTTL:
		return nil, fmt.Errorf("transmitter: lease TTL %v is below %v", t.leaseTTL, minLeaseTTL)
	}
	if t.replica, err = t.newID(); err != nil {
		return nil, err
	}
	return t, nil
}

func checkReceivers(rs []Receiver) ([]receiver, error) {
	var (
		out    []receiver
		errs   []error
		names  = map[string]bool{}
		auds   = map[string]bool{}
		tokens = map[[32]byte]bool{}
	)
	for i, r := range rs {
		if r.Audience == "" {
			r.Audience = r.Name
		}
		in := receiver{Receiver: r, tokenHash: sha256.Sum256(r.Token)}
		switch {
		case r.Name == "":
			errs = append(errs, fmt.Errorf("receiver %d: no name", i))
		case names[r.Name]:
			errs = append(errs, fmt.Errorf("receiver %q: name used twice", r.Name))
		case auds[r.Audience]:
			errs = append(errs, fmt.Errorf("receiver %q: audience %q used twice", r.Name, r.Audience))
		case len(r.Token) < minTokenLen:
			errs = append(errs, fmt.Errorf("receiver %q: token shorter than %d bytes", r.Name, minTokenLen))
		case tokens[in.tokenHash]:
			errs = append(errs, fmt.Errorf("receiver %q: token shared with another receiver", r.Name))
		}
		names[r.Name], auds[r.Audience], tokens[in.tokenHash] = true, true, true
		for _, p := range r.PushEndpoints {
			u, err := checkBaseURL(p)
			if err != nil {
				errs = append(errs, fmt.Errorf("receiver %q: push endpoint %q: %w", r.Name, p, err))
				continue
			}
			in.prefixes = append(in.prefixes, u)
		}
		out = append(out, in)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("transmitter: %w", errors.Join(errs...))
	}
	return out, nil
}
