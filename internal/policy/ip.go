package policy

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// ipMatcher matches the client address against addresses and CIDRs.
// IPv4-mapped IPv6 forms are unmapped on both sides, so ::ffff:10.0.0.1
// matches 10.0.0.0/8 and ::ffff:10.0.0.0/104 means 10.0.0.0/8.
type ipMatcher struct{ prefixes []netip.Prefix }

var _ matcher = (*ipMatcher)(nil)

func compileIP(l []string, path string) (*ipMatcher, []error) {
	errs := checkList(l, path)
	m := &ipMatcher{}
	for _, v := range l {
		if v == "" {
			continue
		}
		p, err := parsePrefix(v)
		var hb hostBitsError
		switch {
		case errors.As(err, &hb):
			errs = append(errs, fmt.Errorf("%s: %q has host bits set: did you mean %s?", path, v, hb.masked))
			continue
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %q is not an IP or CIDR", path, v))
			continue
		}
		m.prefixes = append(m.prefixes, p)
	}
	return m, errs
}

// parsePrefix reads an address (a one-address prefix) or a CIDR, which must
// not have host bits set: "10.0.0.1/8" is more likely a typo than intent.
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("zone not allowed")
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Masked() != p {
		return netip.Prefix{}, hostBitsError{p.Masked()}
	}
	if a := p.Addr(); a.Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, fmt.Errorf("mapped prefix shorter than /96")
		}
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96), nil
	}
	return p, nil
}

// hostBitsError reports a CIDR such as 10.0.0.1/8.
type hostBitsError struct{ masked netip.Prefix }

func (e hostBitsError) Error() string { return "host bits set" }

func (m *ipMatcher) match(in Input) (tri, *Reason) {
	ip := in.IP.Unmap().WithZone("")
	for _, p := range m.prefixes {
		if p.Contains(ip) {
			return yes, nil
		}
	}
	return no, nil
}
