package risk

import (
	"slices"
	"sync"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// MaxFactorsPerUser bounds the factors the engine keeps for one user, so a
// flood of received events cannot grow memory without end. Dropping the
// factor that expires soonest loses nothing: every live factor counts at
// least 1, so while the dropped one would have been live the MaxScore kept
// factors, all expiring later, are live too and already reach the cap
// (factors dated in the future aside, which the flood would have to forge).
const MaxFactorsPerUser = MaxScore

// Engine holds every user's active factors in memory and scores them. The
// store is the record: at start the engine is loaded with the store's
// active factors, and after each change notification it is handed the
// store's view of the user who changed. Add and Clear change the memory of
// this process at once, so the process that made a change does not wait for
// its own notification. It is safe for concurrent use; Level, called on
// every request, takes a read lock and allocates nothing.
type Engine struct {
	mu    sync.RWMutex
	t     Thresholds
	users map[string][]entry // uncleared factors, not yet pruned
}

// NewEngine returns an empty engine grading scores by t. t should have
// passed Validate; out-of-range thresholds are forced into range, erring
// towards the higher level.
func NewEngine(t Thresholds) *Engine {
	return &Engine{t: t.clamped(), users: map[string][]entry{}}
}

// SetThresholds regrades every score from now on (configuration reload).
func (e *Engine) SetThresholds(t Thresholds) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.t = t.clamped()
}

// Thresholds returns the thresholds in use, defaults filled in.
func (e *Engine) Thresholds() Thresholds {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.t
}

// Load replaces everything the engine holds with fs, the store's active
// factors of every user (start-up, or a resynchronisation after the change
// feed was lost).
func (e *Engine) Load(fs []store.RiskFactor) {
	users := map[string][]entry{}
	for _, f := range fs {
		if f.UserID != "" && f.ClearedAt.IsZero() {
			users[f.UserID] = insert(users[f.UserID], f)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.users = users
}

// Replace sets userID's factors to fs, the store's view of that user after
// a change notification. Cleared factors and factors of other users in fs
// are ignored; expired ones are kept until Prune and count nothing.
func (e *Engine) Replace(userID string, fs []store.RiskFactor) {
	var kept []entry
	for _, f := range fs {
		if f.UserID == userID && f.ClearedAt.IsZero() {
			kept = insert(kept, f)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(kept) == 0 {
		delete(e.users, userID)
		return
	}
	e.users[userID] = kept
}

// Add records f for its user and returns the user's assessment at now
// before and after, for the audit record and for deciding whether the
// level changed. A factor with the ID of one already held replaces it. A
// factor without a user, already cleared, or expired at now changes
// nothing.
func (e *Engine) Add(f store.RiskFactor, now time.Time) (before, after Assessment) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fs := e.users[f.UserID]
	before = assess(f.UserID, fs, now, e.t, nil)
	if f.UserID == "" || !f.ClearedAt.IsZero() || !now.Before(f.ExpiresAt) {
		return before, before
	}
	fs = insert(fs, f)
	e.users[f.UserID] = fs
	return before, assess(f.UserID, fs, now, e.t, nil)
}

// insert adds f to es, replacing a factor with the same non-empty ID and
// keeping at most MaxFactorsPerUser (see there).
func insert(es []entry, f store.RiskFactor) []entry {
	e := newEntry(f)
	if f.ID != "" {
		if i := slices.IndexFunc(es, func(g entry) bool { return g.f.ID == f.ID }); i >= 0 {
			es[i] = e
			return es
		}
	}
	es = append(es, e)
	if len(es) > MaxFactorsPerUser {
		soonest := 0
		for i := range es {
			if es[i].end < es[soonest].end {
				soonest = i
			}
		}
		es = slices.Delete(es, soonest, soonest+1)
	}
	return es
}

// Clear drops userID's factors of the given kinds (every kind when kinds
// is nil, none when it is empty but not nil, as the store does) and returns
// the assessment at at before and after. by is who cleared them; the store
// records it, while the engine, which holds uncleared factors only, simply
// forgets them.
func (e *Engine) Clear(userID string, kinds []string, at time.Time, by string) (before, after Assessment) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fs := e.users[userID]
	before = assess(userID, fs, at, e.t, nil)
	if kinds != nil && len(kinds) == 0 {
		return before, before
	}
	fs = slices.DeleteFunc(fs, func(e entry) bool {
		return kinds == nil || slices.Contains(kinds, e.f.Kind)
	})
	if len(fs) == 0 {
		delete(e.users, userID)
	} else {
		e.users[userID] = fs
	}
	return before, assess(userID, fs, at, e.t, nil)
}

// Assess returns userID's score, level and contributing factors at now.
func (e *Engine) Assess(userID string, now time.Time) Assessment {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return assess(userID, e.users[userID], now, e.t, nil)
}

// Level returns userID's level at now. It is on every request's path: one
// map lookup and a pass over the user's few factors, under a read lock,
// without allocating.
func (e *Engine) Level(userID string, now time.Time) Level {
	e.mu.RLock()
	s := score(e.users[userID], now)
	t := e.t
	e.mu.RUnlock()
	return t.level(s)
}

// LevelOf grades a score with the engine's thresholds.
func (e *Engine) LevelOf(score int) Level {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.t.level(score)
}

// LevelAfterVerification is the level userID would have at now once a
// successful re-verification cleared what it clears (ClearedByVerification):
// whether asking the user to step up can help at all.
func (e *Engine) LevelAfterVerification(userID string, now time.Time) Level {
	e.mu.RLock()
	defer e.mu.RUnlock()
	es, s, n := e.users[userID], 0, nanos(now)
	for i := range es {
		if !ClearedByVerification(es[i].f.Kind) {
			s += decay(es[i].sev, es[i].start, es[i].end, n)
		}
	}
	return e.t.level(min(s, MaxScore))
}

// Prune forgets factors expired at now and reports how many it dropped.
// Call it periodically; expired factors count nothing meanwhile.
func (e *Engine) Prune(now time.Time) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n, at := 0, nanos(now)
	for u, fs := range e.users {
		before := len(fs)
		fs = slices.DeleteFunc(fs, func(e entry) bool { return at >= e.end })
		n += before - len(fs)
		if len(fs) == 0 {
			delete(e.users, u)
		} else {
			e.users[u] = fs
		}
	}
	return n
}

// Users reports how many users have factors in memory.
func (e *Engine) Users() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.users)
}
