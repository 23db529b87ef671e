package risk

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

func TestEngineThresholds(t *testing.T) {
	for _, tc := range []struct {
		t     Thresholds
		sev   int
		level Level
	}{
		{Thresholds{}, 39, Low},
		{Thresholds{}, 40, Medium},
		{Thresholds{}, 69, Medium},
		{Thresholds{}, 70, High},
		{Thresholds{}, 100, High},
		{Thresholds{Medium: 10, High: 20}, 9, Low},
		{Thresholds{Medium: 10, High: 20}, 10, Medium},
		{Thresholds{Medium: 10, High: 20}, 20, High},
		{Thresholds{Medium: 90, High: 50}, 89, Low}, // invalid: high forced up to medium
		{Thresholds{Medium: 90, High: 50}, 90, High},
	} {
		e := NewEngine(tc.t)
		e.Add(factor("f", "u", KindAdmin, tc.sev, t0, time.Hour), t0)
		if got := e.Level("u", t0); got != tc.level {
			t.Errorf("%+v, severity %d: level %v, want %v", tc.t, tc.sev, got, tc.level)
		}
		if got := e.LevelOf(tc.sev); got != tc.level {
			t.Errorf("%+v: LevelOf(%d) = %v, want %v", tc.t, tc.sev, got, tc.level)
		}
	}
	e := NewEngine(Thresholds{})
	if e.Thresholds() != (Thresholds{40, 70}) {
		t.Errorf("defaults: %+v", e.Thresholds())
	}
	e.Add(factor("f", "u", KindAdmin, 30, t0, time.Hour), t0)
	e.SetThresholds(Thresholds{Medium: 20, High: 30})
	if got := e.Level("u", t0); got != High {
		t.Errorf("after SetThresholds: %v, want high", got)
	}
}

// Two findings push a user to high; as they decay the user drops back,
// and the score is capped.
func TestEngineDecay(t *testing.T) {
	e := NewEngine(Thresholds{})
	e.Add(factor("farm", "u", KindFarmDevice, 60, t0, 24*time.Hour), t0)
	e.Add(factor("trav", "u", KindImpossibleTravel, 50, t0, 24*time.Hour), t0)
	e.Add(factor("dev", "u", KindNewDevice, 10, t0, time.Hour), t0)
	for _, tc := range []struct {
		after time.Duration
		score int
		level Level
	}{
		{0, 100, High}, // 120 capped
		{30 * time.Minute, 100, High},
		{12 * time.Hour, 55, Medium},         // 30 + 25
		{18 * time.Hour, 28, Low},            // 15 + 13 (12.5 rounded up)
		{24*time.Hour - time.Second, 2, Low}, // both still count 1
		{24 * time.Hour, 0, Low},
	} {
		now := t0.Add(tc.after)
		a := e.Assess("u", now)
		if a.Score != tc.score || a.Level != tc.level || e.Level("u", now) != tc.level {
			t.Errorf("after %v: score %d level %v (Level %v), want %d %v", tc.after, a.Score, a.Level,
				e.Level("u", now), tc.score, tc.level)
		}
	}
}

func TestEngineAdd(t *testing.T) {
	e := NewEngine(Thresholds{})
	before, after := e.Add(factor("a", "u", KindFarmDevice, 60, t0, time.Hour), t0)
	if before.Level != Low || before.Score != 0 || after.Level != Medium || after.Score != 60 || after.UserID != "u" {
		t.Fatalf("first add: %+v -> %+v", before, after)
	}
	// The same ID replaces, never doubles.
	again := factor("a", "u", KindFarmDevice, 30, t0, time.Hour)
	if _, after := e.Add(again, t0); after.Score != 30 || len(after.Factors) != 1 {
		t.Fatalf("re-add: score %d with %d factors, want 30 with 1", after.Score, len(after.Factors))
	}
	cleared := factor("c", "u", KindAdmin, 50, t0, time.Hour)
	cleared.ClearedAt = t0
	for name, f := range map[string]store.RiskFactor{
		"expired": factor("x", "u", KindAdmin, 50, t0.Add(-2*time.Hour), time.Hour),
		"cleared": cleared,
		"no user": factor("n", "", KindAdmin, 50, t0, time.Hour),
	} {
		before, after := e.Add(f, t0)
		if before.Score != after.Score || len(before.Factors) != len(after.Factors) {
			t.Errorf("%s: changed the score %d -> %d", name, before.Score, after.Score)
		}
	}
	if e.Users() != 1 {
		t.Errorf("Users() = %d, want 1", e.Users())
	}
	// Evidence is copied both ways: neither the caller nor a reader of an
	// assessment can change the engine's state.
	f := factor("ev", "v", KindAdmin, 10, t0, time.Hour)
	f.Evidence = map[string]string{"k": "v"}
	e.Add(f, t0)
	f.Evidence["k"] = "caller changed"
	a := e.Assess("v", t0)
	a.Factors[0].Factor.Evidence["k"] = "reader changed"
	if got := e.Assess("v", t0).Factors[0].Factor.Evidence["k"]; got != "v" {
		t.Fatalf("evidence aliased: %q", got)
	}
}

func TestEngineClear(t *testing.T) {
	for _, tc := range []struct {
		name  string
		kinds []string
		left  int
		level Level
	}{
		{"nil clears all", nil, 0, Low},
		{"empty clears none", []string{}, 3, High},
		{"by kind", []string{KindFarmDevice, KindImpossibleTravel}, 1, Medium},
		{"unknown kind", []string{"nope"}, 3, High},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine(Thresholds{})
			e.Add(factor("f", "u", KindFarmDevice, 60, t0, time.Hour), t0)
			e.Add(factor("t", "u", KindImpossibleTravel, 50, t0, time.Hour), t0)
			e.Add(factor("s", "u", "ssf-account-disabled", 40, t0, time.Hour), t0)
			e.Add(factor("o", "other", KindAdmin, 80, t0, time.Hour), t0)
			before, after := e.Clear("u", tc.kinds, t0, "admin:root")
			if before.Level != High || len(before.Factors) != 3 {
				t.Fatalf("before: %+v", before)
			}
			if len(after.Factors) != tc.left || after.Level != tc.level || e.Level("u", t0) != tc.level {
				t.Fatalf("after: %d factors level %v, want %d %v", len(after.Factors), after.Level, tc.left, tc.level)
			}
			if e.Level("other", t0) != High {
				t.Fatal("another user's risk changed")
			}
			if wantUsers := map[bool]int{true: 1, false: 2}[tc.left == 0]; e.Users() != wantUsers {
				t.Fatalf("Users() = %d, want %d", e.Users(), wantUsers)
			}
		})
	}
}

func TestEngineReplaceAndLoad(t *testing.T) {
	e := NewEngine(Thresholds{})
	e.Add(factor("old", "u", KindAdmin, 90, t0, time.Hour), t0)
	cleared := factor("c", "u", KindAdmin, 90, t0, time.Hour)
	cleared.ClearedAt = t0
	e.Replace("u", []store.RiskFactor{
		factor("n", "u", KindNewDevice, 45, t0, time.Hour),
		cleared,
		factor("w", "wrong-user", KindAdmin, 90, t0, time.Hour),
	})
	if a := e.Assess("u", t0); a.Score != 45 || len(a.Factors) != 1 || a.Factors[0].Factor.ID != "n" {
		t.Fatalf("after Replace: %+v", a)
	}
	if e.Level("wrong-user", t0) != Low {
		t.Fatal("Replace took another user's factor")
	}
	e.Replace("u", nil)
	if e.Users() != 0 {
		t.Fatalf("Replace with nothing kept the user")
	}
	e.Add(factor("gone", "z", KindAdmin, 90, t0, time.Hour), t0)
	e.Load([]store.RiskFactor{
		factor("a", "u1", KindAdmin, 50, t0, time.Hour),
		factor("b", "u1", KindNewDevice, 10, t0, time.Hour),
		factor("c", "u2", KindAdmin, 80, t0, time.Hour),
		cleared,
		factor("nobody", "", KindAdmin, 80, t0, time.Hour),
	})
	for user, want := range map[string]int{"u1": 60, "u2": 80, "z": 0, "u": 0} {
		if got := e.Assess(user, t0).Score; got != want {
			t.Errorf("after Load %s: %d, want %d", user, got, want)
		}
	}
	if e.Users() != 2 {
		t.Errorf("Users() = %d, want 2", e.Users())
	}
}

func TestEnginePrune(t *testing.T) {
	e := NewEngine(Thresholds{})
	e.Add(factor("short", "u", KindNewDevice, 10, t0, time.Hour), t0)
	e.Add(factor("long", "u", KindFarmDevice, 60, t0, 24*time.Hour), t0)
	e.Add(factor("only", "v", KindNewDevice, 10, t0, time.Hour), t0)
	if n := e.Prune(t0.Add(time.Hour - time.Nanosecond)); n != 0 {
		t.Fatalf("pruned %d live factors", n)
	}
	if n := e.Prune(t0.Add(time.Hour)); n != 2 {
		t.Fatalf("Prune = %d, want 2", n)
	}
	if e.Users() != 1 || len(e.Assess("u", t0.Add(time.Hour)).Factors) != 1 {
		t.Fatalf("after prune: %d users", e.Users())
	}
}

// A flood of factors for one user is bounded, and what is dropped never
// lowers the score while it would have counted.
func TestEngineCap(t *testing.T) {
	e := NewEngine(Thresholds{})
	for i := range 3 * MaxFactorsPerUser {
		// Expiries spread over 10..310 minutes, added out of order.
		life := time.Duration(10+(i*7)%(3*MaxFactorsPerUser)) * time.Minute
		e.Add(factor(fmt.Sprint("f", i), "u", "ssf-x", 1, t0, life), t0)
	}
	fs := e.Assess("u", t0).Factors
	if len(fs) != MaxFactorsPerUser {
		t.Fatalf("kept %d factors, want %d", len(fs), MaxFactorsPerUser)
	}
	for _, c := range fs {
		if c.Factor.ExpiresAt.Sub(t0) < 210*time.Minute {
			t.Fatalf("kept %s expiring after %v, but dropped later ones", c.Factor.ID, c.Factor.ExpiresAt.Sub(t0))
		}
	}
	if a := e.Assess("u", t0.Add(210*time.Minute-time.Nanosecond)); a.Score != MaxScore {
		t.Fatalf("score %d while every kept factor is live", a.Score)
	}
}

func TestLevelAfterVerification(t *testing.T) {
	e := NewEngine(Thresholds{})
	e.Add(factor("f", "u", KindFarmDevice, 60, t0, time.Hour), t0)
	e.Add(factor("a", "u", KindAdmin, 45, t0, time.Hour), t0)
	e.Add(factor("s", "w", "ssf-credential-compromise", 80, t0, time.Hour), t0)
	for user, want := range map[string]Level{"u": Medium, "w": High, "nobody": Low} {
		if got := e.LevelAfterVerification(user, t0); got != want {
			t.Errorf("%s: %v, want %v", user, got, want)
		}
	}
}

func TestEngineConcurrent(t *testing.T) {
	e := NewEngine(Thresholds{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range 200 {
				user := fmt.Sprint("u", i%5)
				e.Add(factor(fmt.Sprint(w, "-", i), user, KindFarmDevice, 20, t0, time.Hour), t0)
				if i%17 == 0 {
					e.Clear(user, []string{KindFarmDevice}, t0, "test")
				}
				if i%31 == 0 {
					e.Replace(user, []store.RiskFactor{factor("r", user, KindAdmin, 10, t0, time.Hour)})
				}
				if i%53 == 0 {
					e.Prune(t0.Add(time.Duration(i) * time.Second))
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := range 400 {
				user := fmt.Sprint("u", i%5)
				if l := e.Level(user, t0); l > High {
					t.Errorf("level %v", l)
				}
				_ = e.Assess(user, t0).Reasons()
				_ = e.LevelAfterVerification(user, t0)
			}
		}()
	}
	wg.Wait()
	for i := range 5 {
		if s := e.Assess(fmt.Sprint("u", i), t0).Score; s < 0 || s > MaxScore {
			t.Fatalf("score %d", s)
		}
	}
}

// Level is on every request's path: it must not allocate.
func TestLevelDoesNotAllocate(t *testing.T) {
	for _, n := range []int{0, 1, 5} {
		e := engineWith(n)
		if allocs := testing.AllocsPerRun(100, func() { e.Level("user", t0.Add(time.Minute)) }); allocs != 0 {
			t.Errorf("%d factors: %v allocations per Level", n, allocs)
		}
	}
}

func engineWith(n int) *Engine {
	e := NewEngine(Thresholds{})
	for i := range n {
		e.Add(factor(fmt.Sprint("f", i), "user", KindNewDevice, 5, t0, time.Hour), t0)
	}
	for i := range 1000 { // other users, so the map is not trivially small
		e.Add(factor("x", fmt.Sprint("other", i), KindAdmin, 50, t0, time.Hour), t0)
	}
	return e
}

func BenchmarkLevel(b *testing.B) {
	for _, n := range []int{0, 1, 5} {
		b.Run(fmt.Sprint(n, "factors"), func(b *testing.B) {
			e := engineWith(n)
			now := t0.Add(time.Minute)
			b.ReportAllocs()
			for b.Loop() {
				e.Level("user", now)
			}
		})
	}
}
