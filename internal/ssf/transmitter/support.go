package transmitter

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// checkBaseURL accepts an absolute https URL without user, query or
// fragment; plain http only on a loopback host (development and tests).
func checkBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, errors.New("not a URL")
	case u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return nil, errors.New("must be an absolute URL without user, query or fragment")
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, errors.New("must use https")
	}
	return u, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// publicKeys drops private key material, should the caller pass any, and
// symmetric keys, which have no public part.
func publicKeys(ks *jose.JSONWebKeySet) *jose.JSONWebKeySet {
	out := &jose.JSONWebKeySet{}
	for _, k := range ks.Keys {
		if pub := k.Public(); pub.Key != nil {
			out.Keys = append(out.Keys, pub)
		}
	}
	return out
}

// authenticate returns the receiver whose token the request bears. Every
// receiver's token is compared, in constant time, whatever matched.
func (t *Transmitter) authenticate(r *http.Request) *receiver {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return nil
	}
	h := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	var found *receiver
	for i := range t.receivers {
		if subtle.ConstantTimeCompare(h[:], t.receivers[i].tokenHash[:]) == 1 {
			found = &t.receivers[i]
		}
	}
	return found
}

// streamID is the ID of a receiver's stream. One stream per receiver, and
// the ID follows from the audience, so that two replicas creating it at
// once collide in the store instead of making two.
func streamID(audience string) string {
	h := sha256.Sum256([]byte("vigil ssf stream\x00" + audience))
	return base64.RawURLEncoding.EncodeToString(h[:16])
}

// stamp returns the CreatedAt of a newly queued SET: the clock, moved on by
// a microsecond when needed so that queue order is emission order.
func (t *Transmitter) stamp() time.Time {
	now := t.clock().UTC().Truncate(time.Microsecond)
	t.mu.Lock()
	defer t.mu.Unlock()
	if !now.After(t.lastStamp) {
		now = t.lastStamp.Add(time.Microsecond)
	}
	t.lastStamp = now
	return now
}

// newID returns 128 random bits, base64url: a SET jti or a txn.
func (t *Transmitter) newID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(t.rand, b[:]); err != nil {
		return "", fmt.Errorf("transmitter: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// signal is a broadcast: wait returns a channel closed at the next notify.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func (s *signal) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

func (s *signal) notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}
