package transmitter

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/changes"
	"github.com/vigil-gw/vigil/internal/ssf/set"
	"github.com/vigil-gw/vigil/internal/store/postgres"
	"github.com/vigil-gw/vigil/internal/store/postgres/pgtest"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// replicaDB is one replica's own connection to the shared database.
type replicaDB interface {
	Store
	changes.Source
	Close() error
}

// waker is a change-feed wake-up on a replica's connection.
type waker interface {
	changes.Waker
	Close() error
}

// shared opens connections to one database, as each replica of a
// deployment does.
type shared func(t *testing.T) (replicaDB, waker)

// sharedSQLite is one SQLite file opened by every replica.
func sharedSQLite(t *testing.T) shared {
	path := filepath.Join(t.TempDir(), "vigil.db")
	return func(t *testing.T) (replicaDB, waker) {
		db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		w, err := db.NewWaiter(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		return db, w
	}
}

// sharedPostgres is one fresh PostgreSQL schema opened by every replica.
func sharedPostgres(t *testing.T) shared {
	_, dsn := pgtest.Schema(t)
	dsn = pgtest.WithParams(dsn, "pool_max_conns", "4")
	return func(t *testing.T) (replicaDB, waker) {
		db, err := postgres.Open(context.Background(), dsn, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		w, err := db.NewWaiter(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return db, w
	}
}

const clusterIssuer = "https://vigil.example.com"

// cluster is several replicas' transmitters on one database, pushing to
// one receiver, on the real clock.
type cluster struct {
	t    *testing.T
	open shared
	ttl  time.Duration
	key  *ecdsa.PrivateKey
	push *pushReceiver
	logs *logBuffer // every replica's log
}

func newCluster(t *testing.T, open shared, ttl time.Duration) *cluster {
	c := &cluster{t: t, open: open, ttl: ttl, key: newKey(t), push: newPushReceiver(t), logs: &logBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("push role changes and problems:\n%s", c.logs.grep("ssf push"))
		}
	})
	return c
}

// replica is one replica: its transmitter, the change-feed follower that
// wakes it, and its connection.
type replica struct {
	tr     *Transmitter
	db     replicaDB
	waker  waker
	cancel context.CancelFunc
	done   chan struct{} // closed once Run and the follower returned
	closed sync.Once
}

// start starts a replica, stopped (cleanly) when the test ends.
func (c *cluster) start() *replica {
	c.t.Helper()
	db, w := c.open(c.t)
	signer, jwks := signing(c.t, c.key)
	tr, err := New(Options{
		Issuer: clusterIssuer, Store: db, Signer: signer, JWKS: jwks,
		Receivers: []Receiver{{Name: "app-a", Audience: audA, Token: []byte(tokenA),
			PushEndpoints: []string{c.push.srv.URL + "/events"}}},
		LeaseTTL: c.ttl, Logger: slog.New(slog.NewTextHandler(c.logs, nil)),
	})
	if err != nil {
		c.t.Fatal(err)
	}
	// Only the waker wakes the follower (its own interval is a minute), so
	// a prompt push from another replica shows the wake-up works.
	f, err := changes.New(changes.Options{Source: db, Waker: w, Interval: time.Minute})
	if err != nil {
		c.t.Fatal(err)
	}
	f.Subscribe(tr.Apply)
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{tr: tr, db: db, waker: w, cancel: cancel, done: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Go(func() { tr.Run(ctx) })
	wg.Go(func() { _ = f.Run(ctx) })
	go func() { wg.Wait(); close(r.done) }()
	c.t.Cleanup(r.stop)
	// The follower reads from where the feed ends when it starts: a change
	// made before that is history to it, as in a replica just started.
	waitFor(c.t, "the change feed follower", f.Ready)
	return r
}

// stop ends the replica cleanly: Run releases the lease on its way out.
func (r *replica) stop() {
	r.cancel()
	<-r.done
	r.closeConns()
}

// die ends the replica as a crash would: its connections go first, so
// it can release nothing.
func (r *replica) die() {
	r.closeConns()
	r.cancel()
	<-r.done
}

func (r *replica) closeConns() {
	r.closed.Do(func() {
		r.waker.Close()
		r.db.Close()
	})
}

// call makes a management request to replica r.
func (c *cluster) call(r *replica, method, path string, body any) []byte {
	c.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		c.t.Fatal(err)
	}
	req := httptest.NewRequestWithContext(c.t.Context(), method, clusterIssuer+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+tokenA)
	w := httptest.NewRecorder()
	r.tr.Handler().ServeHTTP(w, req)
	out, _ := io.ReadAll(w.Result().Body)
	if w.Code/100 != 2 {
		c.t.Fatalf("%s %s = %d %s", method, path, w.Code, out)
	}
	return out
}

// pushStream creates app-a's push stream through r, with alice added,
// and returns its ID.
func (c *cluster) pushStream(r *replica) string {
	c.t.Helper()
	var v streamView
	out := c.call(r, http.MethodPost, "/.vigil/ssf/stream", map[string]any{
		"events_requested": []string{set.CAEPSessionRevoked},
		"delivery":         Delivery{Method: MethodPush, EndpointURL: c.push.srv.URL + "/events/a"},
	})
	if err := json.Unmarshal(out, &v); err != nil {
		c.t.Fatal(err)
	}
	c.call(r, http.MethodPost, "/.vigil/ssf/subjects:add", map[string]any{"stream_id": v.StreamID, "subject": alice})
	return v.StreamID
}

// emit queues one session-revoked SET about alice through r.
func (c *cluster) emit(r *replica) {
	c.t.Helper()
	if n, err := r.tr.Emit(c.t.Context(), Event{Type: set.CAEPSessionRevoked, Subject: alice}); err != nil || n != 1 {
		c.t.Fatalf("Emit = %d, %v", n, err)
	}
}

// delivered returns the jti of every SET the receiver got, in order,
// each checked against the key.
func (c *cluster) delivered() []string {
	c.t.Helper()
	var out []string
	for _, r := range c.push.received() {
		jws, err := jose.ParseSigned(string(r.body), []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			c.t.Fatalf("a pushed SET does not parse: %v", err)
		}
		payload, err := jws.Verify(&c.key.PublicKey)
		if err != nil {
			c.t.Fatalf("a pushed SET does not verify: %v", err)
		}
		var claims struct {
			JTI string `json:"jti"`
		}
		if err := json.Unmarshal(payload, &claims); err != nil || claims.JTI == "" {
			c.t.Fatalf("a pushed SET has no jti: %v", err)
		}
		out = append(out, claims.JTI)
	}
	return out
}

// watchOverlap samples, until the test ends, whether two replicas push
// at once, and returns a count of the samples that saw it.
func watchOverlap(t *testing.T, rs ...*replica) func() int {
	var (
		mu   sync.Mutex
		seen int
	)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			n := 0
			for _, r := range rs {
				if r.tr.Pushing() {
					n++
				}
			}
			if n > 1 {
				mu.Lock()
				seen++
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return func() int {
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
}

// pusher waits until exactly one of a and b pushes and returns it first.
func pusher(t *testing.T, a, b *replica) (leader, other *replica) {
	t.Helper()
	waitFor(t, "one replica to push", func() bool { return a.tr.Pushing() != b.tr.Pushing() })
	if a.tr.Pushing() {
		return a, b
	}
	return b, a
}
