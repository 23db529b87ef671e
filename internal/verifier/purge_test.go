package verifier

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// TestPurgeAfterRetention: evidence images are deleted once the retention
// period has passed; the verification record stays (and an unfinished one
// expires).
func TestPurgeAfterRetention(t *testing.T) {
	var skew atomic.Int64 // how far the verifier's clock runs ahead
	e := newEnv(t, func(c *Config) {
		c.EvidenceRetention = 48 * time.Hour
		c.Clock = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	})
	docFlow(t, e, "gina@corp.example")
	q, err := e.v.Queue(context.Background(), 10)
	if err != nil || len(q) != 1 {
		t.Fatalf("queue: %d, %v", len(q), err)
	}
	id := q[0].ID
	ev, err := e.db.ListEvidence(context.Background(), id)
	if err != nil || len(ev) < 2 {
		t.Fatalf("evidence before purge: %d, %v; want the document and the selfie", len(ev), err)
	}
	if err := e.v.Purge(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ev, _ := e.db.ListEvidence(context.Background(), id); len(ev) < 2 {
		t.Fatalf("evidence deleted before its retention ended: %d left", len(ev))
	}
	skew.Store(int64(49 * time.Hour))
	if err := e.v.Purge(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ev, _ := e.db.ListEvidence(context.Background(), id); len(ev) != 0 {
		t.Fatalf("%d evidence records left after retention", len(ev))
	}
	rec, err := e.db.GetVerification(context.Background(), id)
	if err != nil {
		t.Fatalf("the verification record must stay: %v", err)
	}
	if rec.Status != store.VerificationExpired {
		t.Errorf("status after its lifetime = %s, want expired", rec.Status)
	}
}
