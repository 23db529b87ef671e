package session

import (
	"slices"

	"github.com/vigil-gw/vigil/internal/store"
)

// keptClaims says which ID-token claims cached sessions keep: those some
// policy can read. The rest (often most of a token) stay in the store
// only; a cached session is what policies evaluate, and nothing else reads
// Identity.Claims from the cache.
type keptClaims struct {
	all   bool
	names []string // sorted
}

// KeepClaims sets the claims cached sessions keep: names, or every claim
// when all. It returns whether that changed; the caller then calls Resync
// so that sessions cached under the old set reload. Until it is called,
// every claim is kept.
func (m *Manager) KeepClaims(names []string, all bool) bool {
	k := &keptClaims{all: all, names: slices.Sorted(slices.Values(names))}
	k.names = slices.Compact(k.names)
	old := m.claims.Swap(k)
	return old == nil || old.all != k.all || !slices.Equal(old.names, k.names)
}

// trimClaims returns s with only the kept claims, as a copy when it
// changes anything; s itself is never modified.
func trimClaims(s *store.Session, k *keptClaims) *store.Session {
	if k == nil || k.all || len(s.Identity.Claims) == 0 {
		return s
	}
	var kept map[string]any
	for _, n := range k.names {
		if v, ok := s.Identity.Claims[n]; ok {
			if kept == nil {
				kept = make(map[string]any, len(k.names))
			}
			kept[n] = v
		}
	}
	if len(kept) == len(s.Identity.Claims) {
		return s
	}
	c := *s
	c.Identity.Claims = kept
	return &c
}
