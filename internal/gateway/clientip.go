package gateway

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP finds the client's address. X-Forwarded-For is believed only
// when the TCP peer is a trusted proxy, and then only up to the first
// address (from the right) that is not itself trusted: everything left of
// that was written by the client and could be forged.
type ClientIP struct {
	Trusted []netip.Prefix
}

// Of returns the client address of r, or the zero Addr if none parses.
func (c *ClientIP) Of(r *http.Request) netip.Addr {
	peer := parseHostPort(r.RemoteAddr)
	if !peer.IsValid() || !c.trusted(peer) {
		return peer
	}
	xffs := r.Header.Values("X-Forwarded-For")
	addr := peer
	for i := len(xffs) - 1; i >= 0; i-- {
		parts := strings.Split(xffs[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return addr // a malformed hop ends what we can believe
			}
			addr = a.Unmap()
			if !c.trusted(addr) {
				return addr
			}
		}
	}
	return addr
}

func (c *ClientIP) trusted(a netip.Addr) bool {
	for _, p := range c.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func parseHostPort(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = s
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}
