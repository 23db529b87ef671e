package gateway

import (
	"net"
	"sort"
	"strings"
)

// Table maps host and path to routes. It is built once per configuration
// and read concurrently without locks.
type Table struct {
	byHost map[string][]*Route // exact host -> routes, longest prefix first
	any    []*Route            // routes without a host
}

// NewTable indexes routes. Later routes never shadow earlier identical
// ones: config validation rejects duplicates before this is called.
func NewTable(routes []*Route) *Table {
	t := &Table{byHost: map[string][]*Route{}}
	for _, r := range routes {
		if r.Host == "" {
			t.any = append(t.any, r)
		} else {
			t.byHost[r.Host] = append(t.byHost[r.Host], r)
		}
	}
	byLen := func(rs []*Route) {
		sort.SliceStable(rs, func(i, j int) bool { return len(rs[i].Prefix) > len(rs[j].Prefix) })
	}
	for _, rs := range t.byHost {
		byLen(rs)
	}
	byLen(t.any)
	return t
}

// Match finds the route for a request's Host header and path: the most
// specific host first, then the longest prefix.
func (t *Table) Match(hostport, path string) *Route {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimRight(host, ".")
	if rs, ok := t.byHost[host]; ok {
		if r := matchPrefix(rs, path); r != nil {
			return r
		}
	} else if hasUpper(host) {
		if rs, ok := t.byHost[strings.ToLower(host)]; ok {
			if r := matchPrefix(rs, path); r != nil {
				return r
			}
		}
	}
	return matchPrefix(t.any, path)
}

func matchPrefix(rs []*Route, path string) *Route {
	for _, r := range rs {
		if pathUnder(path, r.Prefix) {
			return r
		}
	}
	return nil
}

// pathUnder reports whether path is prefix or below it: "/api" covers
// "/api" and "/api/x" but not "/apix". Letters compare case-insensitively:
// some upstreams (IIS, case-insensitive file systems) serve /ADMIN as
// /admin, so /ADMIN must meet /admin's policy, never a weaker one.
func pathUnder(path, prefix string) bool {
	if prefix == "/" {
		return true
	}
	if len(path) < len(prefix) || !strings.EqualFold(path[:len(prefix)], prefix) {
		return false
	}
	return len(path) == len(prefix) || strings.HasSuffix(prefix, "/") || path[len(prefix)] == '/'
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}
