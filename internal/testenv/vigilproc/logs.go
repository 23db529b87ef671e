package vigilproc

import (
	"bytes"
	"os"
)

// How much of a gateway's files a failed test shows: the end of its log
// (start-up lines come first, the failure usually last) and of its audit
// records (the decisions behind the answers the test saw).
const (
	logTail   = 48 << 10
	auditTail = 8 << 10
)

// raceWarning is how the race detector starts each report.
var raceWarning = []byte("WARNING: DATA RACE")

// cleanup stops the gateway when its test ends and judges what it left.
func (g *Gateway) cleanup() {
	t := g.t
	if r := g.run; r != nil {
		select {
		case <-r.exited:
			if !r.stopped {
				t.Errorf("vigilproc: gateway %s exited by itself during the test (%v)", g.Name, exitText(r.err))
			}
		default:
			if err := g.Stop(); err != nil {
				t.Errorf("vigilproc: %v", err)
			}
		}
	}
	log, err := os.ReadFile(g.logPath())
	if err != nil && g.run != nil {
		t.Errorf("vigilproc: gateway %s: reading its log: %v", g.Name, err)
	}
	if bytes.Contains(log, raceWarning) {
		t.Errorf("vigilproc: gateway %s reported a data race (see its log)", g.Name)
	}
	if t.Failed() && g.run != nil {
		audit, _ := os.ReadFile(g.auditPath())
		t.Logf("vigilproc: gateway %s at %s, end of its log:\n%s\nend of its audit records:\n%s",
			g.Name, g.URL, tail(log, logTail), tail(audit, auditTail))
	}
}

// tail is the last max bytes of b, from the start of a line when b is cut.
func tail(b []byte, max int) string {
	if len(b) <= max {
		return string(b)
	}
	b = b[len(b)-max:]
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[i+1:]
	}
	return "[...]\n" + string(b)
}
