package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/vigil-gw/vigil/internal/testenv/vigilexec"
)

// gateway is one `vigil serve` process.
type gateway struct {
	name   string
	url    string // its public URL, http://127.0.0.1:port
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	err    error         // its exit status, once exited is closed
	log    string        // path of its stderr
}

// freeAddr returns a loopback address no one listens on now. Another
// program may take it before vigil does; the start then fails clearly.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func randomSecret() (string, error) {
	var b [36]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// start runs `vigil serve --config cfg` in its own process group and
// waits until /readyz answers 200.
func start(ctx context.Context, bin, dir, name, addr, cfg string) (*gateway, error) {
	logPath := filepath.Join(dir, name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", "--config", cfg)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = os.Environ()
	vigilexec.OwnGroup(cmd)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting gateway %s: %w", name, err)
	}
	g := &gateway{name: name, url: "http://" + addr, cmd: cmd, exited: make(chan struct{}), log: logPath}
	go func() {
		g.err = cmd.Wait()
		logf.Close()
		close(g.exited)
	}()
	if err := g.waitReady(ctx, 60*time.Second); err != nil {
		g.stop()
		return nil, err
	}
	return g, nil
}

func (g *gateway) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	c := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := c.Get(g.url + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-g.exited:
			return fmt.Errorf("gateway %s exited while starting (%v):\n%s", g.name, g.err, tail(g.log))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gateway %s not ready after %s:\n%s", g.name, limit, tail(g.log))
		}
	}
}

// stop ends the process group: politely first, then not.
func (g *gateway) stop() {
	if g == nil {
		return
	}
	select {
	case <-g.exited:
		return
	default:
	}
	vigilexec.SignalGroup(g.cmd, false)
	select {
	case <-g.exited:
	case <-time.After(5 * time.Second):
		vigilexec.SignalGroup(g.cmd, true)
		<-g.exited
	}
}

// alive reports an error when the process has exited.
func (g *gateway) alive() error {
	select {
	case <-g.exited:
		return fmt.Errorf("gateway %s exited (%v):\n%s", g.name, g.err, tail(g.log))
	default:
		return nil
	}
}

// tail is the end of a log file, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(b)
}
