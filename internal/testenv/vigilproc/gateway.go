package vigilproc

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/testenv/proc"
	"github.com/vigil-gw/vigil/internal/testenv/vigilexec"
)

const (
	// readyTimeout bounds a start: migrations, key loading and every
	// provider's discovery take well under a second on loopback.
	readyTimeout = 30 * time.Second
	// stopMargin is added to the gateway's shutdown_timeout before Stop
	// turns to SIGKILL: the gateway itself gives up draining by then.
	stopMargin = 5 * time.Second
	// killWait bounds the wait for a SIGKILLed process to be reaped.
	killWait = 10 * time.Second
)

// Gateway is one gateway at a fixed loopback address, across restarts.
// Its methods are for the test's own goroutine; Name and URL may be read
// from any.
type Gateway struct {
	Name string // names it in messages and its log, e.g. "A"
	URL  string // its public URL, http://127.0.0.1:port

	t      testing.TB
	bin    string
	addr   string
	dir    string        // configuration, log and audit files
	grace  time.Duration // how long Stop waits after SIGTERM
	starts int
	run    *run // the current or last process; nil before the first start
}

// run is one process of a Gateway.
type run struct {
	cmd     *exec.Cmd
	exited  chan struct{} // closed once the process has exited
	err     error         // its exit status, once exited is closed
	stopped bool          // Stop or Kill ended it, not the gateway itself
}

// New makes a gateway named name at a free loopback port, building the
// binary on first use, and starts nothing: the URL is known at once, for
// whatever must be registered before the gateway starts (an identity
// provider's redirect URIs). Another program may take the port before
// Start; the start then fails with the gateway's log saying so.
//
// When the test ends the gateway is stopped with Stop; a gateway that
// exited by itself, did not stop cleanly or reported a data race fails
// the test, and a failed test shows every gateway's log.
func New(t testing.TB, name string) *Gateway {
	t.Helper()
	bin := Binary(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(proc.FreePort(t, "vigilproc")))
	g := &Gateway{Name: name, URL: "http://" + addr, t: t, bin: bin, addr: addr, dir: t.TempDir()}
	t.Cleanup(g.cleanup)
	return g
}

func (g *Gateway) configPath() string { return filepath.Join(g.dir, "vigil.yaml") }
func (g *Gateway) logPath() string    { return filepath.Join(g.dir, "vigil.log") }
func (g *Gateway) auditPath() string  { return filepath.Join(g.dir, "audit.jsonl") }

// Start writes the gateway's configuration file from cfg and starts the
// gateway, returning once /readyz answers 200. cfg itself is not changed:
// the file holds a copy whose server.listen and server.public_url are the
// gateway's address and whose log.audit, when empty, is a file beside the
// log. Any failure ends the test.
func (g *Gateway) Start(cfg *config.Config) {
	g.t.Helper()
	if g.running() {
		g.t.Fatalf("vigilproc: gateway %s started twice", g.Name)
	}
	if err := g.writeConfig(cfg); err != nil {
		g.t.Fatalf("vigilproc: gateway %s: %v", g.Name, err)
	}
	g.launch()
}

// Restart starts the gateway again on the same address with the
// configuration last given to Start, after stopping it (Stop) if it is
// still running. Any failure ends the test, and so does restarting a
// gateway that had exited by itself (a crash the test did not cause).
func (g *Gateway) Restart() {
	g.t.Helper()
	switch {
	case g.run == nil:
		g.t.Fatalf("vigilproc: gateway %s restarted before its first Start", g.Name)
	case !g.running() && !g.run.stopped:
		g.t.Fatalf("vigilproc: gateway %s exited by itself before the restart (%v)", g.Name, exitText(g.run.err))
	case g.running():
		if err := g.Stop(); err != nil {
			g.t.Fatalf("vigilproc: restarting: %v", err)
		}
	}
	g.launch()
}

// launch starts the process and waits until it is ready.
func (g *Gateway) launch() {
	g.t.Helper()
	g.starts++
	g.mark("start %d", g.starts)
	if err := portFree(g.addr); err != nil {
		g.t.Fatalf("vigilproc: gateway %s: %v", g.Name, err)
	}
	logf, err := os.OpenFile(g.logPath(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		g.t.Fatalf("vigilproc: gateway %s: %v", g.Name, err)
	}
	cmd := exec.Command(g.bin, "serve", "--config", g.configPath())
	cmd.Stdout, cmd.Stderr = logf, logf // the child writes the file itself: no copying goroutine to outlive it
	vigilexec.OwnGroup(cmd)
	err = cmd.Start()
	logf.Close()
	if err != nil {
		g.t.Fatalf("vigilproc: starting gateway %s: %v", g.Name, err)
	}
	r := &run{cmd: cmd, exited: make(chan struct{})}
	go func() {
		r.err = cmd.Wait()
		close(r.exited)
	}()
	g.run = r
	begin := time.Now()
	if err := g.waitReady(r); err != nil {
		g.t.Fatalf("vigilproc: gateway %s (start %d) %v; its log is shown at the end of the test", g.Name, g.starts, err)
	}
	g.mark("ready after %v", time.Since(begin).Round(time.Millisecond))
}

// waitReady polls /readyz until it answers 200, the process exits or
// readyTimeout passes; the error says what /readyz said last.
func (g *Gateway) waitReady(r *run) error {
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(readyTimeout)
	last := "nothing yet"
	for {
		resp, err := c.Get(g.URL + "/readyz")
		if err != nil {
			last = err.Error()
		} else {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
			resp.Body.Close()
			last = fmt.Sprintf("HTTP %d %q", resp.StatusCode, strings.TrimSpace(string(body)))
		}
		select {
		case <-r.exited:
			return fmt.Errorf("exited while starting (%v)", r.err)
		default:
		}
		if resp != nil && resp.StatusCode == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v; /readyz said %s", readyTimeout, last)
		}
		select {
		case <-r.exited:
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// portFree fails when a program listens on addr: the gateway could not
// bind it, and the program's answers must not pass for the gateway's. A
// program taking it in the moment before the gateway does makes the
// gateway exit, which cleanup reports.
func portFree(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("another program holds its address: %w", err)
	}
	return l.Close()
}

func (g *Gateway) running() bool {
	if g.run == nil {
		return false
	}
	select {
	case <-g.run.exited:
		return false
	default:
		return true
	}
}

// Stop ends the gateway as an orchestrator would: SIGTERM to its process
// group, then SIGKILL if it has not exited within its shutdown_timeout
// and a margin. The error says when it was not running, needed SIGKILL
// or exited with a failure status.
func (g *Gateway) Stop() error {
	if !g.running() {
		return fmt.Errorf("gateway %s is not running", g.Name)
	}
	r := g.run
	r.stopped = true
	g.mark("SIGTERM")
	vigilexec.SignalGroup(r.cmd, false)
	select {
	case <-r.exited:
		g.mark("exited: %v", exitText(r.err))
		if r.err != nil {
			return fmt.Errorf("gateway %s exited with %v after SIGTERM", g.Name, r.err)
		}
		return nil
	case <-time.After(g.grace):
	}
	vigilexec.SignalGroup(r.cmd, true)
	select {
	case <-r.exited:
	case <-time.After(killWait):
	}
	g.mark("SIGKILL after %v", g.grace)
	return fmt.Errorf("gateway %s did not exit within %v of SIGTERM and was killed", g.Name, g.grace)
}

// Kill ends the gateway at once with SIGKILL to its process group, as a
// crash or the kernel's OOM killer would: no shutdown, no final writes.
// It returns once the process has exited.
func (g *Gateway) Kill() {
	g.t.Helper()
	if !g.running() {
		g.t.Fatalf("vigilproc: gateway %s killed while not running", g.Name)
	}
	r := g.run
	r.stopped = true
	vigilexec.SignalGroup(r.cmd, true)
	select {
	case <-r.exited:
	case <-time.After(killWait):
		g.t.Fatalf("vigilproc: gateway %s still running %v after SIGKILL", g.Name, killWait)
	}
	g.mark("SIGKILL: %v", exitText(r.err))
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// mark writes a line of the harness's own into the gateway's log, so that
// the log shows when the test started, stopped or killed it.
func (g *Gateway) mark(format string, args ...any) {
	f, err := os.OpenFile(g.logPath(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return // the log is for people; its absence shows
	}
	defer f.Close()
	fmt.Fprintf(f, "=== vigilproc %s: gateway %s: %s\n", time.Now().Format("15:04:05.000"), g.Name, fmt.Sprintf(format, args...))
}
