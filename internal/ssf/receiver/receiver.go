package receiver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/vigil-gw/vigil/internal/ssf/set"
)

// Transmitter is one configured upstream transmitter.
type Transmitter struct {
	Name     string
	Issuer   string // iss of its SETs; identifies it on push
	Audience string // what its SETs must carry in aud (Vigil's receiver identifier)
	Keys     set.KeySource
	// PushToken, when set, must come as "Authorization: Bearer <token>"
	// on every push; otherwise push is authenticated by the signature only.
	PushToken []byte
	// Poll mode when PollURL is set: RunPollers polls it every
	// PollInterval (default DefaultPollInterval) with PollToken as bearer.
	PollURL      string
	PollToken    []byte
	PollInterval time.Duration
}

// Applier carries out effects: it ends sessions and adds or clears risk
// factors. The receiver calls it once per SET, with every effect Map gave
// (ActionNone ones included, for the record). An error makes the SET count
// as not received, so the transmitter delivers it again.
type Applier interface {
	Apply(ctx context.Context, from *Transmitter, t *set.SET, effects []Effect) error
}

// Ledger is the store's replay ledger: MarkUsed reports true only to the
// first caller for a key, across processes.
type Ledger interface {
	MarkUsed(ctx context.Context, key string, expires time.Time) (first bool, err error)
}

// Releaser is a Ledger that can give a key back. With it, a SET whose
// application failed is accepted again by any replica; without it, only by
// the replica that failed (it remembers the key in memory).
type Releaser interface {
	ReleaseUsed(ctx context.Context, key string) error
}

// Defaults for Options and Transmitter.
const (
	DefaultReplayWindow = 7 * 24 * time.Hour
	DefaultPollInterval = 30 * time.Second
)

// Options configures a Receiver.
type Options struct {
	Transmitters []Transmitter
	Ledger       Ledger
	Applier      Applier
	// Severities overrides DefaultSeverities per rule.
	Severities map[string]int
	HTTPClient *http.Client     // for polling; default one with a 30 s timeout
	Clock      func() time.Time // default time.Now
	Logger     *slog.Logger     // default discards
	// ReplayWindow is how long a jti is remembered, and so also the
	// oldest iat accepted: an older SET could be a replay the ledger has
	// forgotten. Default DefaultReplayWindow.
	ReplayWindow time.Duration
}

// Receiver receives SETs from the configured transmitters. It is safe for
// concurrent use.
type Receiver struct {
	byIssuer map[string]*Transmitter
	polled   []*Transmitter
	ledger   Ledger
	applier  Applier
	mapper   Mapper
	client   *http.Client
	clock    func() time.Time
	log      *slog.Logger
	window   time.Duration

	mu       sync.Mutex
	inflight map[string]bool      // ledger keys being applied now
	failed   map[string]time.Time // claimed keys whose application failed, until expiry
	verified map[string]time.Time // transmitter name -> last verification event
	pending  map[string]*pollAcks // transmitter name -> acks and errors for its next poll
	// pollLocks serialise polls of one transmitter, so each ack is sent once.
	pollLocks map[string]*sync.Mutex
}

const maxFailed = 10000

// New checks o and returns a Receiver.
func New(o Options) (*Receiver, error) {
	if o.Ledger == nil || o.Applier == nil {
		return nil, errors.New("receiver: needs a ledger and an applier")
	}
	r := &Receiver{
		byIssuer: map[string]*Transmitter{}, ledger: o.Ledger, applier: o.Applier,
		mapper: Mapper{Severities: o.Severities}, client: o.HTTPClient, clock: o.Clock, log: o.Logger,
		window: o.ReplayWindow, inflight: map[string]bool{}, failed: map[string]time.Time{},
		verified: map[string]time.Time{}, pending: map[string]*pollAcks{},
	}
	if r.client == nil {
		r.client = &http.Client{Timeout: 30 * time.Second}
	}
	if r.clock == nil {
		r.clock = time.Now
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.window <= 0 {
		r.window = DefaultReplayWindow
	}
	names := map[string]bool{}
	for i := range o.Transmitters {
		t := o.Transmitters[i] // a copy: later changes to o do not reach the receiver
		if err := checkTransmitter(&t); err != nil {
			return nil, fmt.Errorf("receiver: transmitter %q: %w", t.Name, err)
		}
		if names[t.Name] || r.byIssuer[t.Issuer] != nil {
			return nil, fmt.Errorf("receiver: transmitter %q: name or issuer used twice", t.Name)
		}
		names[t.Name] = true
		r.byIssuer[t.Issuer] = &t
		if t.PollURL != "" {
			if t.PollInterval <= 0 {
				t.PollInterval = DefaultPollInterval
			}
			r.polled = append(r.polled, &t)
		}
	}
	return r, nil
}

func checkTransmitter(t *Transmitter) error {
	switch {
	case t.Name == "":
		return errors.New("needs a name")
	case t.Issuer == "":
		return errors.New("needs an issuer")
	case t.Audience == "":
		return errors.New("needs an audience")
	case t.Keys == nil:
		return errors.New("needs keys")
	}
	if t.PollURL != "" {
		u, err := url.Parse(t.PollURL)
		if err != nil || u.Host == "" {
			return errors.New("poll URL is not an absolute URL")
		}
		ip := net.ParseIP(u.Hostname())
		loopback := u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())
		if u.Scheme != "https" && !(u.Scheme == "http" && loopback) {
			return errors.New("poll URL must use https")
		}
	}
	return nil
}

// LastVerification returns when the transmitter named name last sent a
// valid verification event.
func (r *Receiver) LastVerification(name string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.verified[name]
	return at, ok
}

// errRetry marks failures on Vigil's side: the SET may be good, and the
// transmitter should deliver it again. Its detail is for the log only.
var errRetry = errors.New("temporary failure")

// errDuplicate is the SET error for a jti already applied.
var errDuplicate = &set.Error{Code: set.CodeInvalidRequest, Description: "duplicate jti"}

// receive validates raw as a SET from tr, maps it and applies it once.
// Errors are a *set.Error for the transmitter, or wrap errRetry.
func (r *Receiver) receive(ctx context.Context, tr *Transmitter, raw string) (*set.SET, error) {
	t, err := set.Parse(ctx, raw, set.Validation{
		Issuer: tr.Issuer, Audience: tr.Audience, Keys: tr.Keys, Now: r.clock, MaxAge: r.window,
	})
	if errors.Is(err, set.ErrKeysUnavailable) {
		return nil, fmt.Errorf("%w: %w", errRetry, err)
	}
	if err != nil {
		return nil, err
	}
	effects, err := r.mapper.Map(t, tr.Name)
	if err != nil {
		return t, err
	}
	key := "ssf-jti:" + t.Issuer + ":" + t.ID
	expires := t.IssuedAt.Add(r.window + set.DefaultLeeway)
	if err := r.claim(ctx, key, expires); err != nil {
		return t, err
	}
	err = r.applier.Apply(ctx, tr, t, effects)
	r.finish(ctx, key, expires, err == nil)
	if err != nil {
		return t, fmt.Errorf("%w: apply: %w", errRetry, err)
	}
	if t.Event == set.SSFVerification {
		r.mu.Lock()
		r.verified[tr.Name] = r.clock()
		r.mu.Unlock()
	}
	r.log.Info("ssf: event received", "transmitter", tr.Name, "event", t.Event, "jti", t.ID, "effects", len(effects))
	return t, nil
}

// claim takes key for this delivery: refused if another delivery of it is
// being applied now (retry later) or it was applied before (duplicate).
func (r *Receiver) claim(ctx context.Context, key string, expires time.Time) error {
	r.mu.Lock()
	if r.inflight[key] {
		r.mu.Unlock()
		return fmt.Errorf("%w: the same SET is being applied", errRetry)
	}
	r.inflight[key] = true
	_, retry := r.failed[key]
	r.mu.Unlock()

	first, err := r.ledger.MarkUsed(ctx, key, expires)
	if err == nil && (first || retry) {
		return nil
	}
	r.mu.Lock()
	delete(r.inflight, key)
	r.mu.Unlock()
	if err != nil {
		return fmt.Errorf("%w: replay ledger: %w", errRetry, err)
	}
	return errDuplicate
}

// finish ends a claim. On failure the key is given back (Releaser) or
// remembered, so that the transmitter's retry is applied.
func (r *Receiver) finish(ctx context.Context, key string, expires time.Time, ok bool) {
	released := false
	if rel, can := r.ledger.(Releaser); can && !ok {
		if err := rel.ReleaseUsed(ctx, key); err != nil {
			r.log.Error("ssf: release replay key", "err", err)
		} else {
			released = true
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.inflight, key)
	if ok || released {
		delete(r.failed, key)
		return
	}
	now := r.clock()
	if len(r.failed) >= maxFailed {
		for k, exp := range r.failed {
			if !exp.After(now) {
				delete(r.failed, k)
			}
		}
	}
	if len(r.failed) < maxFailed {
		r.failed[key] = expires
	} else {
		r.log.Error("ssf: too many failed events remembered; a retry of this one will be refused")
	}
}

// drain reads and discards a response body so the connection is reused.
func drain(rc io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, 64<<10))
	_ = rc.Close()
}
