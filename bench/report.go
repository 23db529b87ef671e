package main

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// Targets the issue sets (report them, never bend them).
const (
	goalVsBare       = 0.85
	goalVsO2P        = 1.5
	goalP99Added     = time.Millisecond
	goalSessionBytes = 2048
	goalConns        = 64
	goalRevocation   = 250 * time.Millisecond // p99 until the other replicas refuse a revoked session
)

// target is one thing under load and what it measured over all rounds.
type target struct {
	short string // in the per-round lines
	label string // in the table
	spec  loadSpec
	res   result
}

// printTable writes one row per target: throughput, p50, p99, throughput
// as a ratio to bare, and p99 added over bare.
func printTable(w io.Writer, ts []*target, bare *target) {
	fmt.Fprintf(w, "\n%-44s %10s %10s %10s %8s %14s %10s\n", "target", "req/s", "p50", "p99", "/bare", "p99 over bare", "requests")
	bp99 := bare.res.quantile(0.99)
	for _, t := range ts {
		p99 := t.res.quantile(0.99)
		fmt.Fprintf(w, "%-44s %10.0f %10s %10s %8.2f %14s %10d\n", t.label, t.res.rps(),
			fmtMS(t.res.quantile(0.50)), fmtMS(p99), ratio(t.res.rps(), bare.res.rps()), signedMS(p99-bp99), t.res.n)
	}
}

// printGoals says, for each target of the issue, what was measured and
// whether it is met. sessionBytes < 0 means not measured.
func printGoals(w io.Writer, conns int, vigil, bare, o2p *target, sessionBytes int64) {
	met := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	note := ""
	if conns != goalConns {
		note = fmt.Sprintf(" (the goals are stated at %d connections; this run used %d)", goalConns, conns)
	}
	vb, vo := ratio(vigil.res.rps(), bare.res.rps()), ratio(vigil.res.rps(), o2p.res.rps())
	added := vigil.res.quantile(0.99) - bare.res.quantile(0.99)
	fmt.Fprintf(w, "\ngoals%s:\n", note)
	fmt.Fprintf(w, "  vigil/bare throughput          %9.2f   goal >= %.2f     %s\n", vb, goalVsBare, met(vb >= goalVsBare))
	fmt.Fprintf(w, "  vigil/oauth2-proxy throughput  %9.2f   goal >= %.2f     %s\n", vo, goalVsO2P, met(vo >= goalVsO2P))
	fmt.Fprintf(w, "  vigil p99 added over bare      %9s   goal <= %s  %s\n", signedMS(added), fmtMS(goalP99Added), met(added <= goalP99Added))
	if sessionBytes >= 0 {
		fmt.Fprintf(w, "  bytes per cached session       %9d   goal <= %d     %s\n", sessionBytes, goalSessionBytes, met(sessionBytes <= goalSessionBytes))
	}
}

// printRevocationGoal says what the revocation p99 (in milliseconds, as
// bench/revocation printed it) was measured on and whether it meets the
// goal.
func printRevocationGoal(w io.Writer, setup, p99 string) {
	v, err := strconv.ParseFloat(p99, 64)
	verdict := "NOT met"
	if err != nil {
		verdict = "unreadable"
	} else if time.Duration(v*float64(time.Millisecond)) <= goalRevocation {
		verdict = "met"
	}
	fmt.Fprintf(w, "\nrevocation, %s: p99 %s ms until every other replica refused, goal <= %d ms  %s\n",
		setup, p99, goalRevocation.Milliseconds(), verdict)
}

// printFinal writes the machine-readable last lines; revocation "" (not
// run) leaves its line out, sessionBytes < 0 likewise.
func printFinal(w io.Writer, vigil, bare, o2p *target, sessionBytes int64, revocation string) {
	fmt.Fprintf(w, "ratio vigil/bare: %.2f\n", ratio(vigil.res.rps(), bare.res.rps()))
	fmt.Fprintf(w, "ratio vigil/oauth2-proxy: %.2f\n", ratio(vigil.res.rps(), o2p.res.rps()))
	if sessionBytes >= 0 {
		fmt.Fprintf(w, "session bytes: %d\n", sessionBytes)
	}
	if revocation != "" {
		fmt.Fprintf(w, "revocation p99 ms: %s\n", revocation)
	}
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// fmtMS shows a latency in milliseconds with microsecond detail.
func fmtMS(d time.Duration) string {
	return fmt.Sprintf("%.3fms", float64(d)/float64(time.Millisecond))
}

func signedMS(d time.Duration) string {
	return fmt.Sprintf("%+.3fms", float64(d)/float64(time.Millisecond))
}
