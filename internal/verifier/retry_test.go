package verifier

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// TestRetryLimit: after maxRejections rejected verifications in a day, a
// new attempt for the same email is refused at the RP (access_denied) and
// nothing is stored; other people are not affected.
func TestRetryLimit(t *testing.T) {
	e := newEnv(t, nil)
	now := time.Now()
	for i := 0; i < maxRejections; i++ {
		if err := e.db.CreateVerification(context.Background(), &store.Verification{
			ID: fmt.Sprintf("old-%d", i), Status: store.VerificationRejected, ClaimedEmail: "Eve@corp.example",
			CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour),
		}); err != nil {
			t.Fatal(err)
		}
	}
	b := e.browser()
	b.begin(RungDocumentReview, "eve@corp.example", "")
	if b.landed == nil || b.landed.Query().Get("error") != "access_denied" {
		t.Fatalf("4th attempt: RP got %v, want access_denied", b.landed)
	}
	all, err := e.db.ListVerifications(context.Background(), "", 0)
	if err != nil || len(all) != maxRejections {
		t.Fatalf("verifications stored: %d, %v; want only the %d old ones", len(all), err, maxRejections)
	}
	other := e.browser()
	if status, _ := other.begin(RungDocumentReview, "fred@corp.example", ""); other.landed != nil {
		t.Fatalf("another person was refused: HTTP %d, RP got %v", status, other.landed)
	}
}
