package transmitter

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store/postgres/pgtest"
)

// Two replicas on one database: one pushes, each SET once; the other
// takes over when the first stops or dies; a SET queued on the replica
// that does not push is pushed at once by the one that does.

func TestReplicasSQLite(t *testing.T) {
	testReplicas(t, sharedSQLite)
}

func TestReplicasPostgreSQL(t *testing.T) {
	pgtest.Parallel(t)
	testReplicas(t, sharedPostgres)
}

func testReplicas(t *testing.T, open func(t *testing.T) shared) {
	t.Run("OnePusherEachSETOnce", func(t *testing.T) { testOnePusher(t, open(t)) })
	t.Run("CleanStopReleases", func(t *testing.T) { testCleanStop(t, open(t)) })
	t.Run("DeadPusherReplacedAfterTTL", func(t *testing.T) { testDeadPusher(t, open(t)) })
}

// testOnePusher: with both replicas running, SETs queued on either are
// each pushed exactly once, and never do both push at once.
func testOnePusher(t *testing.T, open shared) {
	c := newCluster(t, open, 3*time.Second)
	a, b := c.start(), c.start()
	overlaps := watchOverlap(t, a, b)
	leader, other := pusher(t, a, b)
	streamID := c.pushStream(other)

	// Queued on the replica that does not push: the leader hears of it
	// through the change feed, not its 30 s recheck.
	var slowest time.Duration
	for i := range 5 {
		start := time.Now()
		c.emit(other)
		waitFor(t, "the push of a SET queued elsewhere", func() bool { return len(c.push.received()) == i+1 })
		slowest = max(slowest, time.Since(start))
	}
	if slowest > 5*time.Second {
		t.Fatalf("a SET queued on the other replica took %v to be pushed; want well under the %v recheck",
			slowest, idleRecheck)
	}
	t.Logf("SET queued on the replica that does not push: pushed within %v (slowest of 5)", slowest)

	for i := range 20 {
		c.emit([]*replica{leader, other}[i%2])
	}
	waitFor(t, "every SET pushed", func() bool { return len(c.push.received()) >= 25 })
	waitFor(t, "the queue to empty", func() bool {
		n, err := leader.db.CountStreamEvents(context.Background(), streamID)
		return err == nil && n == 0
	})
	// Renewals keep the role where it is; nothing more arrives.
	time.Sleep(c.ttl / 2)
	jtis := c.delivered()
	unique := slices.Clone(jtis)
	slices.Sort(unique)
	if unique = slices.Compact(unique); len(jtis) != 25 || len(unique) != 25 {
		// A push cut short when the leader stops (a renewal slower than a
		// third of the TTL) is sent again: the log shows if it did.
		t.Fatalf("the receiver got %d pushes of %d SETs; want 25 of 25", len(jtis), len(unique))
	}
	if !leader.tr.Pushing() || other.tr.Pushing() {
		t.Fatal("the push role moved while both replicas ran")
	}
	if n := overlaps(); n != 0 {
		t.Fatalf("both replicas pushed at once in %d samples", n)
	}
}

// testCleanStop: a replica that stops releases the lease (another could
// take it at once), and the other replica takes over and pushes.
func testCleanStop(t *testing.T, open shared) {
	c := newCluster(t, open, 3*time.Second)
	a := c.start()
	waitFor(t, "the only replica to push", a.tr.Pushing)
	a.stop()
	if a.tr.Pushing() {
		t.Fatal("a stopped replica still pushes")
	}
	// Released: free at once, long before its TTL.
	probe, pw := open(t)
	pw.Close()
	defer probe.Close()
	held, _, err := probe.AcquireLease(t.Context(), leaseName, "probe", time.Second, time.Now())
	if err != nil || !held {
		t.Fatalf("the lease after a clean stop: held %v, %v; want free", held, err)
	}
	if err := probe.ReleaseLease(t.Context(), leaseName, "probe"); err != nil {
		t.Fatal(err)
	}

	b, d := c.start(), c.start()
	overlaps := watchOverlap(t, b, d)
	leader, other := pusher(t, b, d)
	streamID := c.pushStream(other)
	c.emit(other)
	// Delivered and removed from the queue: a push cut short by the stop
	// would be sent again by the next pusher (at least once, by design).
	waitFor(t, "the first push", func() bool {
		n, err := other.db.CountStreamEvents(context.Background(), streamID)
		return len(c.push.received()) == 1 && err == nil && n == 0
	})
	stopped := time.Now()
	leader.stop()
	waitFor(t, "the other replica to take over", other.tr.Pushing)
	t.Logf("push role handed over %v after a clean stop (TTL %v)", time.Since(stopped), c.ttl)
	c.emit(other)
	waitFor(t, "the push after the handover", func() bool { return len(c.push.received()) == 2 })
	if jtis := c.delivered(); jtis[0] == jtis[1] {
		t.Fatal("a SET was pushed twice")
	}
	if n := overlaps(); n != 0 {
		t.Fatalf("both replicas pushed at once in %d samples", n)
	}
}

// testDeadPusher: when the pushing replica dies without releasing the
// lease, the other waits for the lease to expire, then pushes what was
// queued meanwhile.
func testDeadPusher(t *testing.T, open shared) {
	c := newCluster(t, open, 2*time.Second)
	a, b := c.start(), c.start()
	overlaps := watchOverlap(t, a, b)
	leader, other := pusher(t, a, b)
	c.pushStream(other)
	leader.die()
	died := time.Now()
	c.emit(other)
	if other.tr.Pushing() {
		t.Fatal("the other replica pushed while the dead one's lease was still valid")
	}
	waitFor(t, "the other replica to take over", other.tr.Pushing)
	took := time.Since(died)
	// The dead replica renewed at most a third of the TTL before dying,
	// so its lease had two thirds left: taking over sooner would mean
	// two pushers.
	if took < c.ttl/3 {
		t.Fatalf("took over %v after the pusher died; its lease was valid for longer", took)
	}
	t.Logf("push role taken over %v after the pusher died (TTL %v)", took, c.ttl)
	waitFor(t, "the SET queued meanwhile", func() bool { return len(c.push.received()) == 1 })
	time.Sleep(c.ttl / 3)
	if n := len(c.push.received()); n != 1 {
		t.Fatalf("%d pushes, want 1", n)
	}
	if n := overlaps(); n != 0 {
		t.Fatalf("both replicas pushed at once in %d samples", n)
	}
}
