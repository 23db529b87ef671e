package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// bufferPool is the copy-buffer pool a production proxy would use.
type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, 32<<10)
}

func (b *bufferPool) Put(x []byte) { b.p.Put(&x) }

func newJar() *cookiejar.Jar {
	j, _ := cookiejar.New(nil)
	return j
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// randomHex is n random bytes in hex, for client secrets.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics on an unusable source)
	return hex.EncodeToString(b)
}

// freePort returns a port on 127.0.0.1 that was free a moment ago, for a
// process that must be told its port (and its redirect URI registered)
// before it listens. Another process may take it first; start-up then
// fails clearly.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// storeQueries reads vigil_store_queries_total from the metrics endpoint,
// summed per operation.
func storeQueries(metricsURL string) (map[string]float64, error) {
	resp, err := http.Get(metricsURL)
	if err != nil {
		return nil, fmt.Errorf("reading metrics: %w", err)
	}
	defer resp.Body.Close()
	byOp := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "vigil_store_queries_total{") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("metrics line %q: %w", line, err)
		}
		op := "?"
		if i := strings.Index(line, `op="`); i >= 0 {
			op = line[i+4:]
			op = op[:strings.IndexByte(op, '"')]
		}
		byOp[op] += v
	}
	return byOp, sc.Err()
}

// queryDelta describes the store queries made between two readings: the
// total, and each operation's count, so that background work (the change
// feed's reads, the last-seen write-behind) is told from request work.
func queryDelta(before, after map[string]float64) (float64, string) {
	var total float64
	var ops []string
	for op, v := range after {
		if d := v - before[op]; d > 0 {
			total += d
			ops = append(ops, fmt.Sprintf("%s %.0f", op, d))
		}
	}
	sort.Strings(ops)
	return total, strings.Join(ops, ", ")
}
