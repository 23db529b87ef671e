package risk

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func factor(id, user, kind string, sev int, at time.Time, life time.Duration) store.RiskFactor {
	return store.RiskFactor{ID: id, UserID: user, Kind: kind, Severity: sev, Reason: "because " + id,
		Source: "detector", At: at, ExpiresAt: at.Add(life)}
}

func TestPoints(t *testing.T) {
	hour := factor("f", "u", KindNewDevice, 10, t0, time.Hour)
	cleared := hour
	cleared.ClearedAt, cleared.ClearedBy = t0, "admin:root"
	for _, tc := range []struct {
		name string
		f    store.RiskFactor
		now  time.Time
		want int
	}{
		{"before start", hour, t0.Add(-time.Nanosecond), 0},
		{"at start: full", hour, t0, 10},
		{"just after start rounds up", hour, t0.Add(time.Second), 10},
		{"half way", hour, t0.Add(30 * time.Minute), 5},
		{"just past half way", hour, t0.Add(30*time.Minute + time.Nanosecond), 5},
		{"54 minutes", hour, t0.Add(54 * time.Minute), 1},
		{"last nanosecond still counts", hour, t0.Add(time.Hour - time.Nanosecond), 1},
		{"at expiry: nothing", hour, t0.Add(time.Hour), 0},
		{"after expiry", hour, t0.Add(2 * time.Hour), 0},
		{"cleared", cleared, t0, 0},
		{"severity 0 counts 1", factor("f", "u", KindAdmin, 0, t0, time.Hour), t0, 1},
		{"negative severity counts 1", factor("f", "u", KindAdmin, -50, t0, time.Hour), t0, 1},
		{"severity over 100 capped", factor("f", "u", KindAdmin, 1000, t0, time.Hour), t0, 100},
		// 100 * 200 years in nanoseconds overflows 64 bits.
		{"long lifetime, no overflow", factor("f", "u", KindAdmin, 100, t0, 200*365*24*time.Hour),
			t0.Add(100 * 365 * 24 * time.Hour), 50},
		{"no expiry counts nothing", store.RiskFactor{Severity: 50, At: t0}, t0, 0},
		{"expiry before start", factor("f", "u", KindAdmin, 50, t0, -time.Hour), t0, 0},
	} {
		if got := Points(&tc.f, tc.now); got != tc.want {
			t.Errorf("%s: Points = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// Decay never increases with time and never reaches 0 before expiry.
func TestPointsMonotonic(t *testing.T) {
	f := factor("f", "u", KindFarmDevice, 60, t0, 24*time.Hour)
	prev := 61
	for now := t0; now.Before(f.ExpiresAt); now = now.Add(7 * time.Minute) {
		p := Points(&f, now)
		if p > prev || p < 1 {
			t.Fatalf("at %v: %d after %d", now.Sub(t0), p, prev)
		}
		prev = p
	}
}

func TestAssessAndReasons(t *testing.T) {
	travel := factor("t", "u", KindImpossibleTravel, 50, t0, 24*time.Hour)
	travel.Reason = "Berlin to Sydney, 16,100 km in 40 min"
	dev := factor("d", "u", KindNewDevice, 10, t0.Add(time.Minute), time.Hour)
	ssf := factor("s", "u", "ssf-credential-compromise", 50, t0.Add(-time.Minute), 24*time.Hour) // older: after travel
	ssf.Reason = "  "                                                                            // blank reasons leave the label alone
	expired := factor("x", "u", KindAdmin, 90, t0.Add(-2*time.Hour), time.Hour)
	a := assess("u", entries(dev, travel, expired, ssf), t0.Add(time.Minute), Thresholds{}.clamped(), nil)
	if a.Score != 100 || a.Level != High {
		t.Fatalf("score %d level %v, want 100 high", a.Score, a.Level)
	}
	want := []string{
		"impossible travel: Berlin to Sydney, 16,100 km in 40 min (+50)",
		"security event credential-compromise (+50)",
		"new device: because d (+10)",
	}
	if got := a.Reasons(); !slices.Equal(got, want) {
		t.Fatalf("Reasons:\n got  %q\n want %q", got, want)
	}
	if (Assessment{}).Reasons() != nil {
		t.Error("no factors: Reasons should be nil")
	}
	// Only what keep selects counts.
	b := assess("u", entries(dev, travel, ssf), t0.Add(time.Minute), Thresholds{}.clamped(), ClearedByVerification)
	if b.Score != 60 || b.Level != Medium || len(b.Factors) != 2 {
		t.Fatalf("kept: score %d level %v factors %d, want 60 medium 2", b.Score, b.Level, len(b.Factors))
	}
}

func entries(fs ...store.RiskFactor) []entry {
	var es []entry
	for _, f := range fs {
		es = append(es, newEntry(f))
	}
	return es
}

// Times outside what Unix nanoseconds hold saturate instead of wrapping.
func TestNanosSaturate(t *testing.T) {
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if nanos(far) != math.MaxInt64 || nanos(time.Time{}) != math.MinInt64 || nanos(t0) != t0.UnixNano() {
		t.Fatal("nanos does not saturate")
	}
	// An administrator's factor "until 9999" counts at full strength now.
	f := store.RiskFactor{Severity: 30, At: t0, ExpiresAt: far}
	if p := Points(&f, t0.Add(time.Hour)); p != 30 {
		t.Fatalf("Points = %d, want 30", p)
	}
}
