package replicas

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-gw/vigil/internal/testenv/vigilproc"
)

// maxFailures is how many failed requests a load keeps to describe.
const maxFailures = 5

// load is users' requests through some gateways, sent continuously by a
// few workers until stopped, each answer checked.
type load struct {
	stop   chan struct{}
	wg     sync.WaitGroup
	served map[string]*atomic.Int64 // by gateway name
	failed atomic.Int64

	mu       sync.Mutex
	failures []string // the first maxFailures, described
}

// startLoad runs workers that each take turns over the users and the
// gateways; worker w starts at user w.
func startLoad(workers int, users []*user, gws ...*vigilproc.Gateway) *load {
	l := &load{stop: make(chan struct{}), served: map[string]*atomic.Int64{}}
	for _, g := range gws {
		l.served[g.Name] = new(atomic.Int64)
	}
	for w := range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := w; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				u, g := users[i%len(users)], gws[i%len(gws)]
				start := time.Now()
				if bad := u.served(u.get(g.URL, fmt.Sprintf("/load/%d", i), "application/json"), g.Name); bad != "" {
					l.fail(fmt.Sprintf("%s for %s through %s after %v: %s", time.Now().Format("15:04:05.000"),
						u.Email, g.Name, time.Since(start).Round(time.Millisecond), bad))
					continue
				}
				l.served[g.Name].Add(1)
			}
		}()
	}
	return l
}

func (l *load) fail(what string) {
	l.failed.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) < maxFailures {
		l.failures = append(l.failures, what)
	}
}

// total is the requests served so far through every gateway.
func (l *load) total() int64 {
	var n int64
	for _, c := range l.served {
		n += c.Load()
	}
	return n
}

// waitServed waits until n more requests than now were served, or d
// passes; it reports whether they were.
func (l *load) waitServed(n int64, d time.Duration) bool {
	want := l.total() + n
	deadline := time.Now().Add(d)
	for l.total() < want {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// end stops the workers and waits for them.
func (l *load) end() {
	close(l.stop)
	l.wg.Wait()
}
