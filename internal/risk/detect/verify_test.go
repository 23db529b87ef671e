package detect

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/risk"
)

func TestVerificationFailures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		c     Config
		at    []time.Duration // failures, since t0
		fires []int           // indexes of the failures that raise the factor
	}{
		{"two failures", Config{}, []time.Duration{0, time.Hour}, nil},
		{"three within a day", Config{}, []time.Duration{0, time.Hour, 23 * time.Hour}, []int{2}},
		{"more after it fired", Config{}, []time.Duration{0, 1, 2, 3, 4}, []int{2}},
		{"three over more than a day", Config{}, []time.Duration{0, 12 * time.Hour, 24 * time.Hour}, nil},
		{"again once the factor expired", Config{},
			[]time.Duration{0, 1, 2, 30 * time.Hour, 31 * time.Hour, 32 * time.Hour}, []int{2, 5}},
		{"out of order", Config{}, []time.Duration{5 * time.Hour, time.Hour, 3 * time.Hour}, []int{2}},
		{"a stricter count", Config{FailureCount: 2, FailureWindow: time.Hour}, []time.Duration{0, 30 * time.Minute}, []int{1}},
		{"disabled", Config{Disabled: []string{risk.KindVerificationFailures}}, []time.Duration{0, 1, 2}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mustNew(t, tc.c, nil, nil)
			var fired []int
			for i, at := range tc.at {
				fs := d.VerificationFailed("u", t0.Add(at))
				for _, f := range fs {
					checkFactor(t, f)
					if f.Kind != risk.KindVerificationFailures || f.UserID != "u" {
						t.Errorf("factor %+v", f)
					}
				}
				if len(fs) > 0 {
					fired = append(fired, i)
				}
			}
			if fmt.Sprint(fired) != fmt.Sprint(tc.fires) {
				t.Errorf("fired at %v, want %v", fired, tc.fires)
			}
		})
	}
	d := mustNew(t, Config{}, nil, nil)
	for _, user := range []string{"", "u"} {
		var at time.Time
		if user == "" {
			at = t0
		}
		if fs := d.VerificationFailed(user, at); fs != nil {
			t.Errorf("VerificationFailed(%q, %v) = %v", user, at, fs)
		}
	}
}

func TestDuplicateFace(t *testing.T) {
	d := mustNew(t, Config{}, nil, nil)
	fs := d.DuplicateFace("alice", "mallory", t0)
	if len(fs) != 2 || fs[0].UserID != "alice" || fs[1].UserID != "mallory" ||
		fs[0].Evidence["other_user"] != "mallory" || fs[1].Evidence["other_user"] != "alice" {
		t.Fatalf("factors %+v", fs)
	}
	for _, f := range fs {
		checkFactor(t, f)
		if f.Severity != 70 || f.Kind != risk.KindDuplicateFace {
			t.Errorf("factor %+v", f)
		}
	}
	if fs := d.DuplicateFace("mallory", "alice", t0.Add(time.Minute)); fs != nil {
		t.Errorf("the same pair again: %v", fs)
	}
	if fs := d.DuplicateFace("alice", "eve", t0.Add(time.Minute)); len(fs) != 2 {
		t.Errorf("a second duplicate raised %d factors, want 2", len(fs))
	}
	if fs := d.DuplicateFace("bob", "", t0); len(fs) != 1 || fs[0].UserID != "bob" {
		t.Errorf("unnamed other account: %v", fs)
	}
	for _, tc := range [][2]string{{"carol", "carol"}, {"", "dave"}} {
		if fs := d.DuplicateFace(tc[0], tc[1], t0); fs != nil {
			t.Errorf("DuplicateFace(%q, %q) = %v", tc[0], tc[1], fs)
		}
	}
	off := mustNew(t, Config{Disabled: []string{risk.KindDuplicateFace}}, nil, nil)
	if fs := off.DuplicateFace("alice", "mallory", t0); fs != nil {
		t.Errorf("disabled: %v", fs)
	}
}

// After an administrator clears a finding, Forget lets the detector raise
// it again if the evidence still stands.
func TestForget(t *testing.T) {
	d := mustNew(t, Config{}, nil, nil)
	for i := range 3 {
		d.VerificationFailed("u", t0.Add(time.Duration(i)*time.Minute))
	}
	if fs := d.VerificationFailed("u", t0.Add(3*time.Minute)); fs != nil {
		t.Fatalf("raised twice: %v", fs)
	}
	d.Forget("u", []string{risk.KindNewDevice})
	if fs := d.VerificationFailed("u", t0.Add(4*time.Minute)); fs != nil {
		t.Fatalf("forgetting another kind let it through: %v", fs)
	}
	d.Forget("u", []string{risk.KindVerificationFailures})
	if fs := d.VerificationFailed("u", t0.Add(5*time.Minute)); len(fs) != 1 {
		t.Fatalf("after Forget: %v", fs)
	}
	d.Forget("nobody", nil) // unknown users are fine

	// A farm finding comes back for the user forgotten, and only for them,
	// at the next observation of anyone in the cluster.
	farm := func(user string, at time.Duration) string {
		var got []string
		for _, f := range d.Observe(Observation{At: t0.Add(at), UserID: user, Device: "laptop"}) {
			got = append(got, f.UserID+":"+f.Kind)
		}
		return fmt.Sprint(got)
	}
	for i, user := range []string{"a", "b", "c"} {
		farm(user, time.Duration(i)*time.Minute)
	}
	if got := farm("a", 5*time.Minute); got != "[]" {
		t.Fatalf("farm raised again before Forget: %v", got)
	}
	d.Forget("a", []string{risk.KindFarmDevice})
	if got := farm("b", 6*time.Minute); got != "[a:farm-device]" {
		t.Fatalf("after Forget: %v, want farm-device for a", got)
	}
	if got := farm("a", 7*time.Minute); got != "[]" {
		t.Fatalf("raised twice after Forget: %v", got)
	}
}
