package server_test

import (
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/internal/store/postgres/pgtest"
)

// dbLink stands between the gateway and PostgreSQL like the network does:
// cutting it drops every connection and refuses new ones, as a database
// host that went down would; restoring it lets connections through again.
type dbLink struct {
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
}

func newDBLink(t *testing.T, target string) *dbLink {
	l := &dbLink{target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.addr = ln.Addr().String()
	l.serve(ln)
	t.Cleanup(l.cut)
	return l
}

func (l *dbLink) serve(ln net.Listener) {
	l.mu.Lock()
	l.ln = ln
	l.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", l.target)
			if err != nil {
				c.Close()
				continue
			}
			l.mu.Lock()
			l.conns[c], l.conns[up] = true, true
			l.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

// cut drops every connection and stops listening.
func (l *dbLink) cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln != nil {
		l.ln.Close()
		l.ln = nil
	}
	for c := range l.conns {
		c.Close()
	}
	l.conns = map[net.Conn]bool{}
}

// restore listens again on the same address.
func (l *dbLink) restore(t *testing.T) {
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		t.Fatalf("restoring the database link: %v", err)
	}
	l.serve(ln)
}

// TestDatabaseOutage: with PostgreSQL unreachable, a cached session keeps
// working for store.max_stale, then gets 503 (a revocation could be
// waiting); a new sign-in gets a clear 503; when the database is back the
// gateway serves again by itself, without a restart.
func TestDatabaseOutage(t *testing.T) {
	_, dsn := pgtest.Schema(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	link := newDBLink(t, u.Host)
	u.Host = link.addr
	q := u.Query()
	q.Set("connect_timeout", "2")
	q.Set("pool_max_conns", "4")
	u.RawQuery = q.Encode()
	e := startRisk(t, func(c *config.Config) {
		c.Store = config.Store{Driver: "postgres", DSN: u.String(), MaxStale: config.Duration(6 * time.Second)}
	})
	alice, _ := e.browserFrom("")
	if resp := signInDemo(t, alice, e.public+"/", "u1"); resp.StatusCode != 200 {
		t.Fatalf("sign-in: HTTP %d", resp.StatusCode)
	}
	link.cut()
	cut := time.Now()
	// Within max_stale: the cached session is served.
	if code, ec := getEcho(t, alice, e.public+"/", nil); code != 200 || !ec.Verified {
		t.Fatalf("cached session just after the outage began: HTTP %d", code)
	}
	// A new sign-in cannot be recorded: a clear 503.
	bob, _ := e.browserFrom("")
	page := get(t, bob, e.public+"/", "text/html", nil)
	if strings.Contains(page.Request.URL.Path, "/login") {
		resp, err := demoidp.SubmitLogin(bob, page, "u2", "u2-demo-password")
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != 503 || !strings.Contains(body, "database is not answering") {
			t.Fatalf("sign-in during the outage: HTTP %d at %s: %.300s", resp.StatusCode, resp.Request.URL, body)
		}
	} else {
		readBody(t, page)
		t.Fatalf("no sign-in page during the outage: HTTP %d at %s", page.StatusCode, page.Request.URL)
	}
	// Past max_stale: refused with 503, saying why.
	eventually(t, "stale sessions refused", func() (bool, string) {
		code, loc, body := status(t, alice, e.public+"/", "text/html")
		return code == 503 && strings.Contains(body, "session-store-stale"), describe(code, loc, body)
	})
	// max_stale counts from the follower's last read of the feed, at most
	// its one-second interval before the cut.
	if waited := time.Since(cut); waited < 6*time.Second-1500*time.Millisecond {
		t.Fatalf("refused after %s, well before max_stale (6s)", waited)
	}
	// The database comes back: the gateway recovers by itself.
	link.restore(t)
	eventually(t, "served again", func() (bool, string) {
		code, loc, body := status(t, alice, e.public+"/", "application/json")
		return code == 200, describe(code, loc, body)
	})
}
