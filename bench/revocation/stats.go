package main

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/vigil-gw/vigil/bench/internal/stats"
)

// results are a run's samples, one per trial.
type results struct {
	schema  string   // the PostgreSQL schema it ran in, dropped unless -keep; "" on SQLite
	names   []string // of the other replicas, in sample.others order
	samples []sample
}

// column is one timing of every trial.
func (r results) column(f func(sample) time.Duration) []time.Duration {
	out := make([]time.Duration, len(r.samples))
	for i, s := range r.samples {
		out[i] = f(s)
	}
	return out
}

func (r results) all() []time.Duration { return r.column(sample.all) }

// print writes the table and, last, the machine-readable line.
func (r results) print(w io.Writer) {
	fmt.Fprintf(w, "\n%-40s %9s %9s %9s %9s  (ms, %d trials%s)\n", "", "p50", "p90", "p99", "max", len(r.samples), stats.LoadAverage())
	row := func(name string, d []time.Duration) {
		fmt.Fprintf(w, "%-40s %9s %9s %9s %9s\n", name, ms(quantile(d, 0.50)), ms(quantile(d, 0.90)), ms(quantile(d, 0.99)), ms(quantile(d, 1)))
	}
	row("revoke call to denial on all others", r.all())
	for i, name := range r.names {
		row("  on "+name, r.column(func(s sample) time.Duration { return s.others[i] }))
	}
	row("  revoke call on A", r.column(func(s sample) time.Duration { return s.call }))
	row("  all others, after the call returned", r.column(func(s sample) time.Duration { return max(0, s.all()-s.call) }))
	fmt.Fprintf(w, "revocation p99 ms: %s\n", ms(quantile(r.all(), 0.99)))
}

// quantile is the nearest-rank q-quantile of ds (q = 1: the maximum).
func quantile(ds []time.Duration, q float64) time.Duration {
	return stats.Quantile(slices.Sorted(slices.Values(ds)), q)
}

// ms writes d in milliseconds with 0.1 ms resolution.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond))
}
