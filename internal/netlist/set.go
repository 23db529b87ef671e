package netlist

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
)

// Set is several lists compiled for matching: per address family, sorted
// disjoint ranges, each naming the list it came from. It is immutable and
// safe for concurrent use; a nil *Set matches nothing.
type Set struct {
	names      []string
	v4lo, v4hi []uint32
	v4id       []uint16
	v6lo, v6hi []u128
	v6id       []uint16
}

// NewSet compiles lists into a Set. Where lists overlap, the one given first
// wins. Names must be distinct.
func NewSet(lists ...*List) (*Set, error) {
	if len(lists) > 1<<16 {
		return nil, fmt.Errorf("netlist: %d lists (limit %d)", len(lists), 1<<16)
	}
	s := &Set{}
	var v4, v6 []span
	seen := make(map[string]bool, len(lists))
	for i, l := range lists {
		if l == nil {
			return nil, fmt.Errorf("netlist: list %d is nil", i)
		}
		if seen[l.name] {
			return nil, fmt.Errorf("netlist: two lists named %q", l.name)
		}
		seen[l.name] = true
		s.names = append(s.names, l.name)
		for _, x := range l.v4 {
			v4 = append(v4, span{lo: x.lo, hi: x.hi, id: i})
		}
		for _, x := range l.v6 {
			v6 = append(v6, span{lo: x.lo, hi: x.hi, id: i})
		}
	}
	for _, x := range merge(v4) {
		s.v4lo = append(s.v4lo, uint32(x.lo.lo))
		s.v4hi = append(s.v4hi, uint32(x.hi.lo))
		s.v4id = append(s.v4id, uint16(x.id))
	}
	for _, x := range merge(v6) {
		s.v6lo = append(s.v6lo, x.lo)
		s.v6hi = append(s.v6hi, x.hi)
		s.v6id = append(s.v6id, uint16(x.id))
	}
	return s, nil
}

// LoadSet loads the list files of a configuration (name -> path) and
// compiles them; on overlap the name that sorts first wins. Every file's
// problems are reported together.
func LoadSet(files map[string]string) (*Set, error) {
	var lists []*List
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(files)) {
		l, err := Load(name, files[name])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		lists = append(lists, l)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return NewSet(lists...)
}

// Names returns the names of the lists in the Set, in priority order.
func (s *Set) Names() []string {
	if s == nil {
		return nil
	}
	return slices.Clone(s.names)
}

// Match reports which list, if any, holds ip. IPv4-mapped IPv6 addresses
// match as IPv4; zones are ignored.
func (s *Set) Match(ip netip.Addr) (name string, ok bool) {
	if s == nil || !ip.IsValid() {
		return "", false
	}
	if ip.Is4() || ip.Is4In6() {
		a := ip.Unmap().As4()
		x := binary.BigEndian.Uint32(a[:])
		// i is the number of ranges starting at or before x.
		i, j := 0, len(s.v4lo)
		for i < j {
			h := int(uint(i+j) >> 1)
			if s.v4lo[h] <= x {
				i = h + 1
			} else {
				j = h
			}
		}
		if i > 0 && x <= s.v4hi[i-1] {
			return s.names[s.v4id[i-1]], true
		}
		return "", false
	}
	a := ip.As16()
	x := u128{binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])}
	i, j := 0, len(s.v6lo)
	for i < j {
		h := int(uint(i+j) >> 1)
		if s.v6lo[h].cmp(x) <= 0 {
			i = h + 1
		} else {
			j = h
		}
	}
	if i > 0 && x.cmp(s.v6hi[i-1]) <= 0 {
		return s.names[s.v6id[i-1]], true
	}
	return "", false
}
