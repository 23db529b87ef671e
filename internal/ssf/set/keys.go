package set

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// KeySource gives the public keys that may sign an issuer's SETs. refresh
// asks for a fresh copy because a token named a key ID the cached set
// lacks; sources may rate-limit it.
type KeySource interface {
	KeySet(ctx context.Context, refresh bool) (*jose.JSONWebKeySet, error)
}

// StaticKeys returns a KeySource that always gives ks (configured keys).
func StaticKeys(ks *jose.JSONWebKeySet) KeySource { return staticKeys{ks: publicOnly(ks)} }

type staticKeys struct{ ks *jose.JSONWebKeySet }

func (s staticKeys) KeySet(context.Context, bool) (*jose.JSONWebKeySet, error) {
	if s.ks == nil || len(s.ks.Keys) == 0 {
		return nil, fmt.Errorf("%w: no keys configured", ErrKeysUnavailable)
	}
	return s.ks, nil
}

// Remote key set limits.
const (
	DefaultMinRefresh = time.Minute
	remoteMaxAge      = time.Hour // refetch after this even without an unknown kid, to follow rotation
	remoteMaxBody     = 1 << 20
	remoteTimeout     = 10 * time.Second
)

// RemoteKeys returns a KeySource that fetches a JWKS from url (https, or
// http to a loopback address for tests and local setups) and caches it. It
// refetches when the copy is older than an hour, or when refresh is asked
// and the last fetch is older than minRefresh (default one minute), so a
// flood of tokens with unknown key IDs cannot turn into a flood of
// fetches. A failed fetch keeps the cached copy.
func RemoteKeys(url string, client *http.Client, clock func() time.Time, minRefresh time.Duration) KeySource {
	if client == nil {
		client = &http.Client{Timeout: remoteTimeout}
	}
	if clock == nil {
		clock = time.Now
	}
	if minRefresh <= 0 {
		minRefresh = DefaultMinRefresh
	}
	return &remoteKeys{url: url, client: client, clock: clock, minRefresh: minRefresh}
}

type remoteKeys struct {
	url        string
	client     *http.Client
	clock      func() time.Time
	minRefresh time.Duration

	mu        sync.Mutex // held across a fetch so concurrent callers share it
	ks        *jose.JSONWebKeySet
	fetched   time.Time // last successful fetch
	attempted time.Time // last fetch, successful or not
}

func (r *remoteKeys) KeySet(ctx context.Context, refresh bool) (*jose.JSONWebKeySet, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock()
	stale := r.ks == nil || now.Sub(r.fetched) >= remoteMaxAge
	if !stale && !refresh {
		return r.ks, nil
	}
	// Rate-limit every fetch, failed ones too, so a dead endpoint is not
	// hammered; the first fetch is never held back.
	if r.attempted.IsZero() || now.Sub(r.attempted) >= r.minRefresh {
		r.attempted = now
		ks, err := r.fetch(ctx)
		if err == nil {
			r.ks, r.fetched = ks, now
		} else if r.ks == nil {
			return nil, err
		}
	}
	if r.ks == nil {
		return nil, fmt.Errorf("%w: fetch of %s failed recently", ErrKeysUnavailable, r.url)
	}
	return r.ks, nil
}

func (r *remoteKeys) fetch(ctx context.Context) (*jose.JSONWebKeySet, error) {
	if err := checkKeysURL(r.url); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, err)
	}
	ctx, cancel := context.WithTimeout(ctx, remoteTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: fetch %s: %w", ErrKeysUnavailable, r.url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: fetch %s: status %d", ErrKeysUnavailable, r.url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, remoteMaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrKeysUnavailable, r.url, err)
	}
	if len(body) > remoteMaxBody {
		return nil, fmt.Errorf("%w: %s: key set larger than %d bytes", ErrKeysUnavailable, r.url, remoteMaxBody)
	}
	var ks jose.JSONWebKeySet
	if err := json.Unmarshal(body, &ks); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKeysUnavailable, r.url, err)
	}
	out := publicOnly(&ks)
	if len(out.Keys) == 0 {
		return nil, fmt.Errorf("%w: %s: no usable signing keys", ErrKeysUnavailable, r.url)
	}
	return out, nil
}

func checkKeysURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New("key set URL is not an absolute URL")
	}
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme == "http" {
		if ip := net.ParseIP(u.Hostname()); (ip != nil && ip.IsLoopback()) || u.Hostname() == "localhost" {
			return nil
		}
	}
	return errors.New("key set URL must use https")
}

// publicOnly keeps the public halves of asymmetric signing keys. Shared
// secrets are dropped: a SET verified with one proves nothing about who
// made it.
func publicOnly(ks *jose.JSONWebKeySet) *jose.JSONWebKeySet {
	out := &jose.JSONWebKeySet{}
	if ks == nil {
		return out
	}
	for _, k := range ks.Keys {
		if k.Use == "enc" || k.Key == nil {
			continue
		}
		pub := k.Public()
		if !pub.Valid() || !pub.IsPublic() {
			continue
		}
		out.Keys = append(out.Keys, pub)
	}
	return out
}
