package vigilauth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
)

const (
	// defaultKeySetTTL applies when the JWKS response has no max-age.
	defaultKeySetTTL = 5 * time.Minute
	maxKeySetTTL     = 24 * time.Hour
	// staleGrace lets keys of an expired set verify while the gateway
	// cannot be reached, for a short while only.
	staleGrace  = 10 * time.Minute
	maxJWKSSize = 1 << 20
	// keySetFetchTimeout bounds one JWKS fetch. Fetches do not run under
	// the caller's context, so this is their only deadline.
	keySetFetchTimeout = 10 * time.Second
)

// keySet is the gateway's JWKS, fetched lazily and cached per its
// Cache-Control max-age. All fetches, first included, are at least
// minInterval apart, and concurrent callers share one fetch.
//
// A fetch belongs to the key set, not to the request that started it: it
// runs in its own goroutine under context.WithoutCancel and fetchTimeout,
// so a client that disconnects mid-fetch neither aborts it nor records its
// cancellation as the key set's error (which would fail every verification
// needing keys for minInterval).
type keySet struct {
	url          string
	client       *http.Client
	now          func() time.Time
	minInterval  time.Duration
	fetchTimeout time.Duration
	algs         []jose.SignatureAlgorithm

	cur         atomic.Pointer[keySnapshot]
	mu          sync.Mutex // guards the fields below
	lastAttempt time.Time
	lastErr     error
	inflight    chan struct{} // closed when the running fetch ends; nil when none runs
}

type keySnapshot struct {
	keys    map[string]jose.JSONWebKey
	expires time.Time
}

// key returns the public key for kid, fetching the set when it is missing,
// expired, or lacks kid (a rotation).
func (k *keySet) key(ctx context.Context, kid string) (jose.JSONWebKey, error) {
	snap := k.cur.Load()
	now := k.now()
	if snap != nil && now.Before(snap.expires) {
		if key, ok := snap.keys[kid]; ok {
			return key, nil
		}
	}
	snap, err := k.refresh(ctx, snap)
	if snap != nil && now.Before(snap.expires.Add(staleGrace)) {
		if key, ok := snap.keys[kid]; ok {
			return key, nil
		}
	}
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	return jose.JSONWebKey{}, invalid("unknown kid %q", short(kid))
}

// refresh fetches the set unless another caller did since seen was
// loaded, or the last attempt was under minInterval ago. It waits for the
// fetch (its own or one already running) until ctx ends; a caller that
// gives up gets its context's error, which is never recorded.
func (k *keySet) refresh(ctx context.Context, seen *keySnapshot) (*keySnapshot, error) {
	k.mu.Lock()
	if cur := k.cur.Load(); cur != seen {
		k.mu.Unlock()
		return cur, nil
	}
	done := k.inflight
	if done == nil {
		now := k.now()
		if !k.lastAttempt.IsZero() && now.Sub(k.lastAttempt) < k.minInterval {
			err := k.lastErr
			k.mu.Unlock()
			return seen, err
		}
		k.lastAttempt = now
		done = make(chan struct{})
		k.inflight = done
		go k.run(context.WithoutCancel(ctx), now, done)
	}
	k.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		return seen, fmt.Errorf("%w: %w", ErrKeySet, ctx.Err())
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if cur := k.cur.Load(); cur != seen {
		return cur, nil
	}
	return seen, k.lastErr
}

// run performs one fetch under the key set's own deadline and publishes
// its outcome. ctx carries the caller's values but not its cancellation.
func (k *keySet) run(ctx context.Context, now time.Time, done chan struct{}) {
	ctx, cancel := context.WithTimeout(ctx, k.fetchTimeout)
	defer cancel()
	snap, err := k.fetch(ctx, now)
	k.mu.Lock()
	k.lastErr = err
	if err == nil {
		k.cur.Store(snap)
	}
	k.inflight = nil
	k.mu.Unlock()
	close(done)
}

func (k *keySet) fetch(ctx context.Context, now time.Time) (*keySnapshot, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeySet, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeySet, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s answered %s", ErrKeySet, k.url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading: %v", ErrKeySet, err)
	}
	if len(body) > maxJWKSSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrKeySet, maxJWKSSize)
	}
	keys, err := parseKeySet(body, k.algs)
	if err != nil {
		return nil, err
	}
	ttl := min(max(maxAge(resp.Header.Get("Cache-Control")), k.minInterval), maxKeySetTTL)
	return &keySnapshot{keys: keys, expires: now.Add(ttl)}, nil
}

// parseKeySet keeps the signing keys with a kid, public halves only. A kid
// that appears twice is dropped: which key it means would be ambiguous.
func parseKeySet(body []byte, algs []jose.SignatureAlgorithm) (map[string]jose.JSONWebKey, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("%w: bad JWKS: %v", ErrKeySet, err)
	}
	keys := make(map[string]jose.JSONWebKey, len(set.Keys))
	dup := map[string]bool{}
	for _, key := range set.Keys {
		if key.KeyID == "" || (key.Use != "" && key.Use != "sig") {
			continue
		}
		if key.Algorithm != "" && !slices.Contains(algs, jose.SignatureAlgorithm(key.Algorithm)) {
			continue
		}
		pub := key.Public()
		if !pub.Valid() {
			continue // symmetric keys have no public half
		}
		if _, ok := keys[key.KeyID]; ok || dup[key.KeyID] {
			dup[key.KeyID] = true
			delete(keys, key.KeyID)
			continue
		}
		keys[key.KeyID] = pub
	}
	return keys, nil
}

// maxAge reads max-age from Cache-Control: 0 for no-store or no-cache,
// the default when absent or unreadable.
func maxAge(cc string) time.Duration {
	for d := range strings.SplitSeq(cc, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		switch {
		case d == "no-store" || d == "no-cache":
			return 0
		case strings.HasPrefix(d, "max-age="):
			n, err := strconv.ParseInt(strings.Trim(d[len("max-age="):], `"`), 10, 64)
			if err != nil || n < 0 {
				return defaultKeySetTTL
			}
			return time.Duration(min(n, int64(maxKeySetTTL/time.Second))) * time.Second
		}
	}
	return defaultKeySetTTL
}
