package detect

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/store"
)

// VerificationFailed records a failed identity verification of userID at
// at and raises verification-failures once FailureCount of them fall within
// FailureWindow (then not again while that factor lives). Someone trying
// documents or faces until one passes fails first.
func (d *Detector) VerificationFailed(userID string, at time.Time) []store.RiskFactor {
	const kind = risk.KindVerificationFailures
	if userID == "" || at.IsZero() || !d.on(kind) {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	u := d.user(userID)
	from := at.Add(-d.c.FailureWindow)
	u.failures = slices.DeleteFunc(u.failures, func(t time.Time) bool { return !t.After(from) })
	if len(u.failures) >= maxFailures {
		u.failures = slices.Delete(u.failures, 0, 1)
	}
	i, _ := slices.BinarySearchFunc(u.failures, at, time.Time.Compare) // kept in time order
	u.failures = slices.Insert(u.failures, i, at)
	n := densest(u.failures, d.c.FailureWindow)
	if n < d.c.FailureCount || !d.once(u, kind, "", at) {
		return nil
	}
	return []store.RiskFactor{d.factor(userID, kind, at, d.c.severity[kind],
		fmt.Sprintf("%d failed identity verifications within %s", n, windowText(d.c.FailureWindow)),
		map[string]string{"failures": strconv.Itoa(n), "window": windowText(d.c.FailureWindow)})}
}

// DuplicateFace raises duplicate-face for both accounts when the verifier
// found the face verified for userID already verified for otherUser: one
// person behind two identities, or one identity sold twice. otherUser may
// be "" when the verifier cannot name the account (then only userID gets
// it); the same user twice is one person verifying again, no finding.
func (d *Detector) DuplicateFace(userID, otherUser string, at time.Time) []store.RiskFactor {
	const kind = risk.KindDuplicateFace
	if userID == "" || userID == otherUser || at.IsZero() || !d.on(kind) {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []store.RiskFactor
	for _, p := range [][2]string{{userID, otherUser}, {otherUser, userID}} {
		user, other := p[0], p[1]
		if user == "" || !d.once(d.user(user), kind, other, at) {
			continue
		}
		ev := map[string]string{}
		if other != "" {
			ev["other_user"] = other
		}
		out = append(out, d.factor(user, kind, at, d.c.severity[kind],
			"the face verified for this account was also verified for another account", ev))
	}
	return out
}

// densest is the most of the sorted times ts that fall within one window
// (reports may arrive out of order, so the newest is not always the end).
func densest(ts []time.Time, window time.Duration) int {
	best, lo := 0, 0
	for hi := range ts {
		for ts[hi].Sub(ts[lo]) >= window {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}
