package assertion

import (
	"hash/maphash"
	"sync"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
)

// cachedToken is an assertion kept for reuse, with what it was minted from.
// It is immutable once stored.
type cachedToken struct {
	app      string
	token    string
	kid      string
	iat, exp time.Time
	userID   string
	acr      string
	authTime time.Time
	// verification is the identity's, compared by pointer: identities are
	// immutable, so a verification recorded later is a new pointer.
	verification *identity.Verification
}

// matches reports whether the session still authenticates the same way as
// when the token was minted (a step-up changes acr and auth_time).
func (c *cachedToken) matches(s *store.Session) bool {
	return c.userID == s.UserID && c.acr == s.Identity.ACR && c.authTime.Equal(s.Identity.AuthTime) &&
		c.verification == s.Identity.Verification
}

const cacheShards = 16

// tokenCache maps (session ID, app) to a cachedToken. Sharded read-mostly
// maps keep a hit to one hash, a read lock and no allocation. Per session
// the tokens are a small copy-on-write slice (one per app visited), so
// Forget is one delete.
type tokenCache struct {
	seed     maphash.Seed
	perShard int
	shards   [cacheShards]cacheShard
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[string][]*cachedToken
	n  int // tokens in m
}

func newTokenCache(size int) *tokenCache {
	c := &tokenCache{seed: maphash.MakeSeed(), perShard: max(1, size/cacheShards)}
	for i := range c.shards {
		c.shards[i].m = make(map[string][]*cachedToken)
	}
	return c
}

func (c *tokenCache) shard(sid string) *cacheShard {
	return &c.shards[maphash.String(c.seed, sid)%cacheShards]
}

func (c *tokenCache) get(sid, app string) *cachedToken {
	sh := c.shard(sid)
	sh.mu.RLock()
	toks := sh.m[sid]
	sh.mu.RUnlock()
	for _, t := range toks {
		if t.app == app {
			return t
		}
	}
	return nil
}

func (c *tokenCache) put(sid string, t *cachedToken, now time.Time) {
	sh := c.shard(sid)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.n >= c.perShard {
		sh.evict(now, c.perShard)
	}
	old := sh.m[sid]
	toks := make([]*cachedToken, 0, len(old)+1)
	for _, o := range old {
		if o.app != t.app {
			toks = append(toks, o)
		}
	}
	toks = append(toks, t)
	sh.n += len(toks) - len(old)
	sh.m[sid] = toks
}

// evict drops expired tokens, then whole sessions in map order (random)
// until an eighth of the shard is free, so a full cache does not sweep on
// every insert.
func (sh *cacheShard) evict(now time.Time, limit int) {
	for sid, toks := range sh.m {
		kept := toks[:0:0]
		for _, t := range toks {
			if now.Before(t.exp) {
				kept = append(kept, t)
			}
		}
		if len(kept) == len(toks) {
			continue
		}
		sh.n -= len(toks) - len(kept)
		if len(kept) == 0 {
			delete(sh.m, sid)
		} else {
			sh.m[sid] = kept
		}
	}
	target := limit - max(1, limit/8)
	for sid, toks := range sh.m {
		if sh.n <= target {
			break
		}
		sh.n -= len(toks)
		delete(sh.m, sid)
	}
}

func (c *tokenCache) forget(sid string) {
	sh := c.shard(sid)
	sh.mu.Lock()
	sh.n -= len(sh.m[sid])
	delete(sh.m, sid)
	sh.mu.Unlock()
}

// len returns the number of cached tokens (for tests).
func (c *tokenCache) len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += sh.n
		sh.mu.RUnlock()
	}
	return n
}
