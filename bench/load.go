package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-gw/vigil/bench/internal/stats"
)

// result is one target's load: completed requests, failures and the
// latency of every completed request.
type result struct {
	n, errors int
	elapsed   time.Duration
	lat       []time.Duration
	lastErr   error
	sorted    bool
}

func (r *result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.n) / r.elapsed.Seconds()
}

func (r *result) add(o result) {
	r.n += o.n
	r.errors += o.errors
	r.elapsed += o.elapsed
	r.lat = append(r.lat, o.lat...)
	r.sorted = false
	if o.lastErr != nil {
		r.lastErr = o.lastErr
	}
}

// quantile is the nearest-rank latency at q (0..1), as bench/revocation
// reports it; 0 without samples.
func (r *result) quantile(q float64) time.Duration {
	if !r.sorted {
		slices.Sort(r.lat)
		r.sorted = true
	}
	return stats.Quantile(r.lat, q)
}

// loadSpec is what every client of one load run sends and expects.
type loadSpec struct {
	url       string
	cookie    string // Cookie header, "" for none
	wantBytes int64  // the upstream's body length: anything else is a failure
}

// load runs conns keep-alive clients against spec for d. A redirect, any
// status but 200 or a body of the wrong length counts as a failure, so an
// expired session (sent to sign in) cannot pass for a fast answer.
func load(spec loadSpec, conns int, d time.Duration) result {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	var (
		mu    sync.Mutex
		total result
		wg    sync.WaitGroup
		stop  atomic.Bool
	)
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := result{lat: make([]time.Duration, 0, 1<<14)}
			req, err := http.NewRequest("GET", spec.url, nil)
			if err != nil {
				mine.errors, mine.lastErr = 1, err
				stop.Store(true)
			}
			if spec.cookie != "" && req != nil {
				req.Header.Set("Cookie", spec.cookie)
			}
			for !stop.Load() {
				t0 := time.Now()
				if err := fetch(client, req, spec.wantBytes); err != nil {
					mine.errors++
					mine.lastErr = err
					continue
				}
				mine.n++
				mine.lat = append(mine.lat, time.Since(t0))
			}
			mu.Lock()
			total.add(mine)
			mu.Unlock()
		}()
	}
	time.Sleep(d) // the measurement window, not synchronisation
	stop.Store(true)
	wg.Wait()
	total.elapsed = time.Since(start)
	return total
}

// fetch makes one request and reads the whole answer.
func fetch(c *http.Client, req *http.Request, wantBytes int64) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		return err
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("HTTP %d (Location %q)", resp.StatusCode, resp.Header.Get("Location"))
	case n != wantBytes:
		return fmt.Errorf("body of %d bytes, want %d", n, wantBytes)
	}
	return nil
}
