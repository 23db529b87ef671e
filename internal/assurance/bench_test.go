package assurance_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/assurance"
	"github.com/vigil-gw/vigil/internal/audit"
	"github.com/vigil-gw/vigil/internal/gateway"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/risk/detect"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// The ingestion benchmarks run the whole pipeline behind the request path
// on one goroutine: Service.Observe queues, Service.Drain hands each
// observation to a real detector (default configuration, no GeoIP, no
// network lists), and every factor raised goes to a real SQLite store, the
// engine and the audit log, as in production. Run them on one core:
//
//	go test -run '^$' -bench 'Ingest|ObserveHotPath' -cpu 1 ./internal/assurance
//
// signals/s is observations ingested per second; factors/op is how many
// of them raised a factor (a store write each).

const (
	benchUsers     = 10_000
	benchAddresses = 5_000 // two ordinary users per address: a household, below the farm threshold
	benchFarms     = 20    // clusters of benchFarmSize accounts behind one browser and one address
	benchFarmSize  = 5     // reaches both farm thresholds (3 per device, 5 per address)
	// benchStep is the simulated time between observations: every user
	// makes a request about every 30 s.
	benchStep = 3 * time.Millisecond
	// benchDrainEvery is how often the hot-path benchmark empties the
	// queue (8,192 by default) outside the timer.
	benchDrainEvery = 1024
)

var benchStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// benchClock is the simulated time: the observation being fed.
type benchClock struct{ ns atomic.Int64 }

func (c *benchClock) set(t time.Time) { c.ns.Store(t.UnixNano()) }
func (c *benchClock) now() time.Time  { return time.Unix(0, c.ns.Load()).UTC() }

type benchEnv struct {
	svc    *assurance.Service
	clock  *benchClock
	writes atomic.Int64 // risk factors written to the store
	calls  atomic.Int64 // store queries of any kind
}

// newBenchEnv builds a Service as the server does, over SQLite in a
// temporary directory. With detectors false it has none (Drain then only
// empties the queue).
func newBenchEnv(b *testing.B, detectors bool) *benchEnv {
	b.Helper()
	e := &benchEnv{clock: &benchClock{}}
	e.clock.set(benchStart)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, b.TempDir()+"/vigil.db", sqlite.Options{Now: e.clock.now,
		Observe: func(op string, _ time.Duration, _ error) {
			e.calls.Add(1)
			if op == "risk.add" {
				e.writes.Add(1)
			}
		}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	sessions, err := session.New(session.Options{Store: db, Clock: e.clock.now, Rand: rand.NewChaCha8([32]byte{1}),
		MasterSecret: []byte("bench-master-secret-0123456789abcdef-0123456789")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sessions.Close(context.Background()) })
	var det *detect.Detector
	if detectors {
		if det, err = detect.New(detect.Config{}, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
	e.svc, err = assurance.New(assurance.Options{Store: db, Sessions: sessions, Engine: risk.NewEngine(risk.Thresholds{}),
		Detector: det, Audit: audit.New(io.Discard), Clock: e.clock.now, Rand: rand.NewChaCha8([32]byte{2})})
	if err != nil {
		b.Fatal(err)
	}
	if err := e.svc.Load(ctx); err != nil {
		b.Fatal(err)
	}
	return e
}

// feed observes o at its time and drains the queue, as Run would: the
// whole pipeline inside one iteration, so the timer sees all of it.
func (e *benchEnv) feed(ctx context.Context, o gateway.Observation) {
	e.clock.set(o.At)
	e.svc.Observe(o)
	e.svc.Drain(ctx)
}

// population is who makes requests: ordinary users on their own browser,
// two to a home address, and farm accounts sharing a browser and an
// address with the rest of their cluster.
type population struct{ obs []gateway.Observation }

func newPopulation() population {
	p := population{obs: make([]gateway.Observation, benchUsers)}
	farmUsers := benchFarms * benchFarmSize
	for i := range p.obs {
		o := gateway.Observation{UserID: fmt.Sprintf("corp:user-%05d", i), SessionID: fmt.Sprintf("sess-%05d", i),
			App: "portal", Language: "en-US"}
		if i < farmUsers {
			farm := i / benchFarmSize
			o.Device = fmt.Sprintf("farm-device-%03d-----", farm) // 22 bytes, like a real device cookie
			o.IP = netip.AddrFrom4([4]byte{203, 0, 113, byte(farm)})
		} else {
			o.Device = fmt.Sprintf("device-%015d", i)
			a := (i - farmUsers) % benchAddresses
			o.IP = netip.AddrFrom4([4]byte{198, 18, byte(a >> 8), byte(a)})
		}
		p.obs[i] = o
	}
	return p
}

// next is the i-th request: users in a fixed shuffled order, so that farm
// members do not arrive together.
func (p population) next(order []int, i int) gateway.Observation {
	o := p.obs[order[i%len(order)]]
	o.At = benchStart.Add(time.Duration(i) * benchStep)
	return o
}

func shuffled(n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	r := rand.New(rand.NewPCG(6, 6))
	r.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	return order
}

// BenchmarkIngest measures observations ingested per second.
//
//   - mixed: the population above, warmed up by one pass; one request in
//     1,000 comes from a browser its user has not used before (a new-device
//     factor), and the farms are found in the warm-up and then raise
//     nothing new: most observations raise nothing, as in production.
//   - repeated: ordinary users only, every observation seen before.
//   - novel: every observation a user, browser and address never seen
//     (tables fill up and evict, nothing is raised).
//   - raising: every observation raises a factor (a known user on a new
//     browser): the rate when every signal is a store write.
func BenchmarkIngest(b *testing.B) {
	pop := newPopulation()
	ordinary := make([]int, 0, benchUsers)
	for _, u := range shuffled(benchUsers) {
		if u >= benchFarms*benchFarmSize {
			ordinary = append(ordinary, u)
		}
	}
	cases := []struct {
		name   string
		warm   []int // users observed once before the clock starts
		obs    func(i int) gateway.Observation
		minHit float64 // factors/op the case must reach, so it measures what it says
		maxHit float64
	}{
		{name: "mixed", warm: shuffled(benchUsers), obs: func(i int) gateway.Observation {
			o := pop.next(shuffled1, i+benchUsers)
			if i%1000 == 999 {
				o.Device = fmt.Sprintf("fresh-%016d", i)
			}
			return o
		}, minHit: 0.0005, maxHit: 0.01},
		{name: "repeated", warm: ordinary, obs: func(i int) gateway.Observation { return pop.next(ordinary, i+len(ordinary)) }},
		{name: "novel", obs: func(i int) gateway.Observation {
			return gateway.Observation{At: benchStart.Add(time.Duration(i) * benchStep), UserID: fmt.Sprintf("corp:new-%09d", i),
				SessionID: fmt.Sprintf("s-%09d", i), App: "portal", Device: fmt.Sprintf("new-device-%011d", i),
				IP:       netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i), 15: 1}),
				Language: "en-US"}
		}},
		{name: "raising", warm: ordinary, obs: func(i int) gateway.Observation {
			o := pop.next(ordinary, i+len(ordinary))
			o.Device = fmt.Sprintf("fresh-%016d", i)
			return o
		}, minHit: 1, maxHit: 1},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			e := newBenchEnv(b, true)
			ctx := context.Background()
			for i, u := range c.warm {
				o := pop.obs[u]
				o.At = benchStart.Add(time.Duration(i) * benchStep)
				e.feed(ctx, o)
			}
			writes := e.writes.Load()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				e.feed(ctx, c.obs(i))
				i++
			}
			if _, dropped := e.svc.Stats(); dropped != 0 {
				b.Fatalf("%d observations dropped: the benchmark must ingest every one", dropped)
			}
			hit := float64(e.writes.Load()-writes) / float64(b.N)
			// Short runs (-benchtime 1x) may not reach one fresh browser.
			if (b.N >= 10_000 && hit < c.minHit) || hit > c.maxHit {
				b.Fatalf("factors/op %.4f outside %.4f..%.4f: the case does not measure what it says", hit, c.minHit, c.maxHit)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signals/s")
			b.ReportMetric(hit, "factors/op")
		})
	}
}

// shuffled1 is the mixed case's request order.
var shuffled1 = shuffled(benchUsers)

// BenchmarkObserveHotPath is what continuous assurance costs a request:
// Service.Observe (a non-blocking queue send) and Service.Level (a read
// of the engine's memory) for a user with three live factors. It fails
// if the hot path touched the store.
//
//   - queued: every observation is accepted; the queue is emptied outside
//     the timer.
//   - dropped: the queue is full (the detectors are behind): the cost of
//     counting a drop.
//
// No parallel variant: goroutines doing nothing but Observe outrun any
// consumer, so it would measure the drop path again.
func BenchmarkObserveHotPath(b *testing.B) {
	setup := func(b *testing.B) (*benchEnv, gateway.Observation) {
		e := newBenchEnv(b, false)
		o := newPopulation().obs[4242]
		for _, k := range []string{risk.KindNewDevice, risk.KindNewCountry, risk.KindHostingNetwork} {
			f := store.RiskFactor{UserID: o.UserID, Kind: k, Severity: 10, Reason: "bench", Source: "detector",
				At: benchStart, ExpiresAt: benchStart.Add(time.Hour)}
			if err := e.svc.AddFactor(context.Background(), f); err != nil {
				b.Fatal(err)
			}
		}
		o.At = benchStart.Add(time.Minute)
		if lvl := e.svc.Level(o.UserID, o.At); lvl != risk.Low {
			b.Fatalf("level %v, want low (three small factors)", lvl)
		}
		return e, o
	}
	check := func(b *testing.B, e *benchEnv, calls int64, sink risk.Level) {
		if n := e.calls.Load() - calls; n != 0 {
			b.Fatalf("the hot path made %d store calls", n)
		}
		if sink != risk.Low {
			b.Fatalf("level %v, want low", sink)
		}
	}
	b.Run("queued", func(b *testing.B) {
		e, o := setup(b)
		ctx := context.Background()
		calls, sink := e.calls.Load(), risk.Low
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			e.svc.Observe(o)
			sink = max(sink, e.svc.Level(o.UserID, o.At))
			if i++; i%benchDrainEvery == 0 {
				b.StopTimer()
				e.svc.Drain(ctx)
				b.StartTimer()
			}
		}
		check(b, e, calls, sink)
		if _, dropped := e.svc.Stats(); dropped != 0 {
			b.Fatalf("%d observations dropped", dropped)
		}
	})
	b.Run("dropped", func(b *testing.B) {
		e, o := setup(b)
		for range 8192 { // the default queue size
			e.svc.Observe(o)
		}
		calls, sink := e.calls.Load(), risk.Low
		b.ReportAllocs()
		for b.Loop() {
			e.svc.Observe(o)
			sink = max(sink, e.svc.Level(o.UserID, o.At))
		}
		check(b, e, calls, sink)
		if _, dropped := e.svc.Stats(); dropped != uint64(b.N) {
			b.Fatalf("%d of %d observations dropped, want all", dropped, b.N)
		}
	})
}
