// Package replicas holds end-to-end tests of Vigil as its operators run
// it with PostgreSQL: several `vigil serve` processes, one database, a
// browser that reaches any of them. The tests build the real binary and
// run it as separate processes (internal/testenv/vigilproc), so that a
// crash is a real SIGKILL and a restart a real start-up; they need
// PostgreSQL (internal/store/postgres/pgtest) and skip only where pgtest
// skips, never in CI.
//
// The package has no code of its own beyond its tests.
package replicas
