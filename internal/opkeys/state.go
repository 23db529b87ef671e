package opkeys

import (
	"crypto"
	"slices"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/oidcop"
	"github.com/vigil-gw/vigil/internal/store"
)

// key is an unwrapped key with its lifetimes.
type key struct {
	sk      *oidcop.SigningKey
	priv    crypto.Signer // the key sk wraps (sk does not give it out)
	created time.Time
	retire  time.Time // signs no more after
	expires time.Time // published until
}

// snapshot is an immutable key set, newest first. It is replaced whole and
// read without locks; which key signs is worked out at each call from the
// clock, so a scheduled switch needs no reload.
type snapshot struct {
	keys []*key
}

// buildSnapshot opens every unexpired record. Records that fail to open are
// left out and their errors returned beside the snapshot.
func buildSnapshot(w *wrapper, recs []store.SigningKey, now time.Time) (*snapshot, []error) {
	var (
		errs []error
		st   = &snapshot{}
	)
	for i := range recs {
		rec := &recs[i]
		if !now.Before(rec.ExpiresAt) {
			continue
		}
		sk, priv, err := w.open(rec)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		st.keys = append(st.keys, &key{sk: sk, priv: priv, created: rec.CreatedAt, retire: rec.RetireAt, expires: rec.ExpiresAt})
	}
	slices.SortFunc(st.keys, func(a, b *key) int {
		if c := b.created.Compare(a.created); c != 0 {
			return c
		}
		return strings.Compare(a.sk.ID(), b.sk.ID())
	})
	st.keys = slices.CompactFunc(st.keys, func(a, b *key) bool { return a.sk.ID() == b.sk.ID() })
	return st, errs
}

// current picks the signing key at now, in order of preference:
//  1. the newest key of alg that is not retired and has been published for
//     publishAhead (the steady state);
//  2. the newest such key of another algorithm (after the configured
//     algorithm changed, until a key of the new one has been published long
//     enough);
//  3. the newest key not retired (a fresh install signs at once).
//
// Every replica with the same records and a close clock picks the same key.
func (s *snapshot) current(now time.Time, alg string, publishAhead time.Duration) *key {
	var ready, other, fresh *key
	for _, k := range s.keys {
		if !now.Before(k.retire) {
			continue
		}
		if fresh == nil {
			fresh = k
		}
		if now.Before(k.created.Add(publishAhead)) {
			continue
		}
		if k.sk.Algorithm() == alg {
			ready = k
			break
		}
		if other == nil {
			other = k
		}
	}
	switch {
	case ready != nil:
		return ready
	case other != nil:
		return other
	}
	return fresh
}

// published returns the keys not yet expired at now, newest first.
func (s *snapshot) published(now time.Time) []*oidcop.SigningKey {
	out := make([]*oidcop.SigningKey, 0, len(s.keys))
	for _, k := range s.keys {
		if now.Before(k.expires) {
			out = append(out, k.sk)
		}
	}
	return out
}

// signsAfter reports whether a key of alg will still sign at t.
func (s *snapshot) signsAfter(t time.Time, alg string) bool {
	for _, k := range s.keys {
		if k.sk.Algorithm() == alg && k.retire.After(t) {
			return true
		}
	}
	return false
}
