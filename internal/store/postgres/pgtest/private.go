package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a PostgreSQL server of one test's own, in a temporary
// directory. Unlike the shared server, a test may stop it (a real
// shutdown: every connection ended, the port closed) and start it again on
// the same port with the same data, to see what its clients do when the
// database goes away and comes back. Its methods fail the test on error;
// call them from the test's goroutine.
//
// If the test binary is killed before its cleanups run (a -timeout panic,
// SIGKILL), the server is left running; its directory, in /dev/shm or
// $TMPDIR, starts with "vigil-pg-".
type Server struct {
	tb      testing.TB
	bin     string // the directory of initdb and pg_ctl
	dir     string // temporary, in memory if possible: data/, server.log, the socket
	port    int
	owner   *owner // the OS user the server runs as when this process is root
	running bool
}

// privateDB is the database Private creates.
const privateDB = "vigil"

// Private initialises a throwaway cluster (trust authentication, fsync
// off), starts it on 127.0.0.1 at a free port, creates the database
// "vigil" and returns the running server. The test's cleanup stops it and
// removes its files. initdb and postgres refuse to run as root, so as root
// they run as the "postgres" OS user. Without the server binaries the test
// skips, or fails in CI (CI=true or VIGIL_REQUIRE_POSTGRES set).
func Private(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{tb: tb}
	bin, err := binDir()
	if err == nil && os.Geteuid() == 0 {
		s.owner, err = postgresUser()
	}
	if err != nil {
		if required() {
			tb.Fatalf("a private PostgreSQL server cannot run: %v", err)
		}
		tb.Skipf("a private PostgreSQL server cannot run, skipping: %v", err)
	}
	s.bin = bin
	if s.dir, err = tempDir(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.cleanup)
	if s.owner != nil {
		if err := os.Chown(s.dir, int(s.owner.uid), int(s.owner.gid)); err != nil {
			tb.Fatal(err)
		}
	}
	if s.port, err = freePort(); err != nil {
		tb.Fatal(err)
	}

	began := time.Now()
	// --no-sync and fsync=off: a test's data need not survive a crash of
	// the machine, and syncing costs seconds on a busy disk.
	s.run("initdb", "-D", s.data(), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
	initdb := time.Since(began)
	conf := fmt.Sprintf("\n# pgtest.Private\nlisten_addresses = '127.0.0.1'\nport = %d\n"+
		"unix_socket_directories = '%s'\nfsync = off\nfull_page_writes = off\nsynchronous_commit = off\n",
		s.port, s.dir)
	f, err := os.OpenFile(filepath.Join(s.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatal(err)
	}
	s.Start()
	started := time.Since(began) - initdb
	Exec(tb, s.dsn("postgres"), "CREATE DATABASE "+privateDB)
	tb.Logf("private PostgreSQL at 127.0.0.1:%d: initdb %s, start %s", s.port, initdb.Round(time.Millisecond), started.Round(time.Millisecond))
	return s
}

// DSN is the URL of the database "vigil" as the superuser postgres.
func (s *Server) DSN() string { return s.dsn(privateDB) }

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

func (s *Server) dsn(db string) string {
	return "postgres://postgres@" + s.Addr() + "/" + db + "?sslmode=disable&connect_timeout=5"
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }
func (s *Server) log() string  { return filepath.Join(s.dir, "server.log") }

// Start starts the server and returns once it accepts connections.
func (s *Server) Start() {
	s.tb.Helper()
	if s.running {
		s.tb.Fatal("pgtest: Start: the server is already running")
	}
	s.run("pg_ctl", "start", "-D", s.data(), "-l", s.log(), "-w", "-t", "60")
	s.running = true
}

// Stop shuts the server down the way an operator does (pg_ctl stop -m
// fast): open transactions roll back, every client is disconnected, and
// the port is closed until Start.
func (s *Server) Stop() {
	s.tb.Helper()
	if !s.running {
		s.tb.Fatal("pgtest: Stop: the server is not running")
	}
	s.run("pg_ctl", "stop", "-D", s.data(), "-m", "fast", "-w", "-t", "60")
	s.running = false
}

// run runs one of the server's programs as the server's owner and fails
// the test, with the program's output and the server log, if it fails.
func (s *Server) run(prog string, args ...string) {
	s.tb.Helper()
	if err := s.exec(prog, args...); err != nil {
		s.tb.Fatalf("pgtest: %s: %v\nserver log:\n%s", prog, err, s.logTail())
	}
}

func (s *Server) exec(prog string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, prog), args...)
	cmd.Dir = s.dir // the postgres user may not enter the caller's directory
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	if s.owner != nil {
		runAs(cmd, s.owner)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(out.String()))
	}
	return nil
}

// logTail is the end of the server log, for failure messages.
func (s *Server) logTail() string {
	b, err := os.ReadFile(s.log())
	if err != nil {
		return "(none)"
	}
	if len(b) > 4096 {
		b = b[len(b)-4096:]
	}
	return string(b)
}

func (s *Server) cleanup() {
	// Whatever the test left (a server running, or one whose start timed
	// out): the postmaster's PID file says one may be up.
	if _, err := os.Stat(filepath.Join(s.data(), "postmaster.pid")); err == nil {
		if err := s.exec("pg_ctl", "stop", "-D", s.data(), "-m", "immediate", "-w", "-t", "60"); err != nil {
			s.tb.Errorf("pgtest: stopping the private server: %v", err)
		}
		s.running = false
	}
	if s.tb.Failed() {
		s.tb.Logf("private PostgreSQL server log:\n%s", s.logTail())
	}
	if err := os.RemoveAll(s.dir); err != nil {
		s.tb.Errorf("pgtest: %v", err)
	}
}

// owner is an OS user to run the server as.
type owner struct{ uid, gid uint32 }

var pgUser struct {
	once  sync.Once
	owner *owner
	err   error
}

// postgresUser looks up the "postgres" OS user, which the server packages
// create.
func postgresUser() (*owner, error) {
	pgUser.once.Do(func() {
		u, err := user.Lookup("postgres")
		if err != nil {
			pgUser.err = fmt.Errorf("running as root, which initdb refuses, and no postgres OS user to run it as (apt: postgresql): %w", err)
			return
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err := errors.Join(err1, err2); err != nil {
			pgUser.err = fmt.Errorf("the postgres OS user: %w", err)
			return
		}
		pgUser.owner = &owner{uid: uint32(uid), gid: uint32(gid)}
	})
	return pgUser.owner, pgUser.err
}

var bins struct {
	once sync.Once
	dir  string
	err  error
}

// binDir finds the server binaries: where pg_config says, else the newest
// Debian-style /usr/lib/postgresql/<version>/bin.
func binDir() (string, error) {
	bins.once.Do(func() {
		var dirs []string
		if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
			dirs = append(dirs, strings.TrimSpace(string(out)))
		}
		found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		slices.SortFunc(found, func(a, b string) int { return version(b) - version(a) })
		for _, d := range append(dirs, found...) {
			if hasServer(d) {
				bins.dir = d
				return
			}
		}
		bins.err = errors.New("no PostgreSQL server binaries (initdb, pg_ctl, postgres) in pg_config --bindir or /usr/lib/postgresql/*/bin (apt: postgresql)")
	})
	return bins.dir, bins.err
}

// version is the major version in /usr/lib/postgresql/<version>/bin.
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func hasServer(dir string) bool {
	for _, p := range []string{"initdb", "pg_ctl", "postgres"} {
		if fi, err := os.Stat(filepath.Join(dir, p)); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// tempDir makes the server's directory in memory (/dev/shm) where there
// is one, else in $TMPDIR: initdb writes some 40 MB, and took 0.8-2 s
// there against 2-7 s on disk on a busy two-core machine.
func tempDir() (string, error) {
	if dir, err := os.MkdirTemp("/dev/shm", "vigil-pg-"); err == nil {
		return dir, nil
	}
	return os.MkdirTemp("", "vigil-pg-")
}

// freePort returns a loopback port nothing listens on right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
