package assurance_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/risk"
)

// TestDuplicateFace: the verifier's finding reaches both accounts, at the
// high level, and a verification by the same face does not clear it; an
// administrator's reset does.
func TestDuplicateFace(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ada, bob := e.users["ada"], e.users["bob"]
	e.svc.DuplicateFace(ctx, ada, bob)
	for _, u := range []string{ada, bob} {
		v, err := e.svc.Risk(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if v.Level != "high" || len(v.Factors) != 1 || v.Factors[0].Kind != risk.KindDuplicateFace {
			t.Fatalf("%s after the finding: %+v, want one duplicate-face factor, high", u, v)
		}
	}
	if e.svc.StepUpHelps(ada, risk.High, time.Now()) {
		t.Error("StepUpHelps says a verification would clear duplicate-face")
	}
	if err := e.svc.Reverified(ctx, ada, time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if l := e.svc.Level(ada, time.Now()); l != risk.High {
		t.Fatalf("after re-verification: %v, want still high", l)
	}
	if v, err := e.svc.ResetRisk(ctx, ada, "admin:ops", "twins, checked in person"); err != nil || v.Level != "low" {
		t.Fatalf("after reset: %+v, %v", v, err)
	}
	// Unknown other account: only the one verifying is flagged.
	e.svc.DuplicateFace(ctx, e.users["partner-ada"], "")
	if l := e.svc.Level(e.users["partner-ada"], time.Now()); l != risk.High {
		t.Fatalf("partner-ada: %v, want high", l)
	}
}
