package risk

import (
	"maps"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// MaxScore caps a user's score; thresholds live in 1..MaxScore.
const MaxScore = 100

// Points is what factor f adds to its user's score at now.
//
// A factor counts only while it is active: started (At <= now), not yet
// expired (now < ExpiresAt) and not cleared. While active, its severity
// decays linearly from full at At to nothing at ExpiresAt, because a
// finding says less the older it gets: a new-device factor of 10 with a
// lifetime of an hour counts 10 at first, 5 after half an hour. The result
// is rounded up, so that a live factor always counts at least 1 and a
// user's level never drops while evidence is still standing; the severity
// is taken as 1..100 whatever the record says.
func Points(f *store.RiskFactor, now time.Time) int {
	if !f.ClearedAt.IsZero() {
		return 0
	}
	return decay(severity(f.Severity), nanos(f.At), nanos(f.ExpiresAt), nanos(now))
}

// decay is Points on Unix nanoseconds, the form the engine keeps.
func decay(sev uint64, start, end, now int64) int {
	if now < start || now >= end {
		return 0
	}
	// Differences in uint64: exact, as end > now >= start.
	left, total := uint64(end)-uint64(now), uint64(end)-uint64(start)
	// sev*left/total, rounded up, in 128 bits: the product of a severity
	// and a long lifetime in nanoseconds overflows 64. hi < total always,
	// as sev*left < 2^64*total, so Div64 cannot panic.
	hi, lo := bits.Mul64(sev, left)
	q, r := bits.Div64(hi, lo, total)
	if r != 0 {
		q++
	}
	return int(q)
}

func severity(s int) uint64 { return uint64(min(max(s, 1), MaxScore)) }

var (
	minNanos = time.Unix(0, math.MinInt64)
	maxNanos = time.Unix(0, math.MaxInt64)
)

// nanos is t in Unix nanoseconds, saturated outside the years 1678 to
// 2262 (the zero time is long before): far enough for any factor.
func nanos(t time.Time) int64 {
	switch {
	case t.Before(minNanos):
		return math.MinInt64
	case t.After(maxNanos):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// entry is a factor as the engine keeps it: its times and severity
// decoded once, so that scoring on the request path is integer work.
type entry struct {
	f          store.RiskFactor
	start, end int64
	sev        uint64
}

func newEntry(f store.RiskFactor) entry {
	return entry{f: cloneFactor(f), start: nanos(f.At), end: nanos(f.ExpiresAt), sev: severity(f.Severity)}
}

// Contribution is one factor's part in an assessment.
type Contribution struct {
	Factor store.RiskFactor
	Points int // at the time of the assessment, after decay
}

// Assessment is a user's risk at one moment.
type Assessment struct {
	UserID  string
	Score   int // 0..MaxScore
	Level   Level
	Factors []Contribution // the active factors, highest points first
}

// Reasons is one readable line per factor, highest first, for the audit
// log and for the page that tells the user why they are asked to step up,
// e.g. "impossible travel: Berlin to Sydney, 16,100 km in 40 min (+50)".
func (a Assessment) Reasons() []string {
	if len(a.Factors) == 0 {
		return nil
	}
	out := make([]string, 0, len(a.Factors))
	for _, c := range a.Factors {
		var b strings.Builder
		b.WriteString(KindLabel(c.Factor.Kind))
		if r := strings.TrimSpace(c.Factor.Reason); r != "" {
			b.WriteString(": ")
			b.WriteString(r)
		}
		b.WriteString(" (+")
		b.WriteString(strconv.Itoa(c.Points))
		b.WriteString(")")
		out = append(out, b.String())
	}
	return out
}

var kindLabels = map[string]string{
	KindImpossibleTravel:     "impossible travel",
	KindConcurrentDistant:    "sessions in distant places at once",
	KindNewDevice:            "new device",
	KindNewCountry:           "new country",
	KindHostingNetwork:       "hosting or VPN network",
	KindFarmDevice:           "one device behind many accounts",
	KindFarmAddress:          "one network address behind many accounts",
	KindLocaleMismatch:       "browser locale does not fit",
	KindDuplicateFace:        "same face verified for another account",
	KindVerificationFailures: "repeated failed verifications",
	KindAdmin:                "raised by an administrator",
}

// KindLabel names a factor kind in words.
func KindLabel(kind string) string {
	if l, ok := kindLabels[kind]; ok {
		return l
	}
	if ev, ok := strings.CutPrefix(kind, SSFPrefix); ok && ev != "" {
		return "security event " + ev
	}
	return kind
}

// assess scores es for userID at now. keep, when set, selects the factors
// that count.
func assess(userID string, es []entry, now time.Time, t Thresholds, keep func(kind string) bool) Assessment {
	a := Assessment{UserID: userID}
	n := nanos(now)
	for i := range es {
		if keep != nil && !keep(es[i].f.Kind) {
			continue
		}
		if p := decay(es[i].sev, es[i].start, es[i].end, n); p > 0 {
			a.Factors = append(a.Factors, Contribution{Factor: cloneFactor(es[i].f), Points: p})
			a.Score += p
		}
	}
	a.Score = min(a.Score, MaxScore)
	a.Level = t.level(a.Score)
	slices.SortStableFunc(a.Factors, func(x, y Contribution) int {
		switch {
		case x.Points != y.Points:
			return y.Points - x.Points
		case !x.Factor.At.Equal(y.Factor.At):
			return y.Factor.At.Compare(x.Factor.At) // newer first
		}
		return strings.Compare(x.Factor.ID, y.Factor.ID)
	})
	return a
}

// score is assess without the allocations, for the hot path.
func score(es []entry, now time.Time) int {
	s, n := 0, nanos(now)
	for i := range es {
		s += decay(es[i].sev, es[i].start, es[i].end, n)
		if s >= MaxScore {
			return MaxScore
		}
	}
	return s
}

// cloneFactor copies f with its own evidence map, so that an assessment
// handed out never aliases the engine's state.
func cloneFactor(f store.RiskFactor) store.RiskFactor {
	f.Evidence = maps.Clone(f.Evidence)
	return f
}
