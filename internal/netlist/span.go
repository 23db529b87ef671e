package netlist

import (
	"cmp"
	"container/heap"
	"encoding/binary"
	"net/netip"
	"slices"
)

// u128 is an address as a number: IPv6 uses both halves, IPv4 only lo.
type u128 struct{ hi, lo uint64 }

func (a u128) cmp(b u128) int {
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	return cmp.Compare(a.lo, b.lo)
}

func (a u128) next() u128 {
	if a.lo == ^uint64(0) {
		return u128{a.hi + 1, 0}
	}
	return u128{a.hi, a.lo + 1}
}

func (a u128) prev() u128 {
	if a.lo == 0 {
		return u128{a.hi - 1, ^uint64(0)}
	}
	return u128{a.hi, a.lo - 1}
}

// span is an inclusive range of addresses of one family, from list id.
type span struct {
	lo, hi u128
	id     int
}

// spanOf returns the addresses of p, which is masked and unmapped.
func spanOf(p netip.Prefix) span {
	if p.Addr().Is4() {
		a := p.Addr().As4()
		lo := uint64(binary.BigEndian.Uint32(a[:]))
		host := uint64(1)<<(32-p.Bits()) - 1
		return span{lo: u128{0, lo}, hi: u128{0, lo | host}}
	}
	a := p.Addr().As16()
	lo := u128{binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])}
	hi := lo
	switch b := p.Bits(); {
	case b == 0:
		hi = u128{^uint64(0), ^uint64(0)}
	case b <= 64:
		hi = u128{lo.hi | (^uint64(0) >> b), ^uint64(0)}
	case b < 128:
		hi.lo |= ^uint64(0) >> (b - 64)
	}
	return span{lo: lo, hi: hi}
}

// coalesce sorts spans of one list and merges those that overlap or touch.
func coalesce(s []span) []span {
	slices.SortFunc(s, func(a, b span) int { return a.lo.cmp(b.lo) })
	out := s[:0]
	for _, x := range s {
		if n := len(out); n > 0 {
			last := &out[n-1]
			// x starts at or before last.hi+1 (written so max does not overflow).
			if x.lo.cmp(last.hi) <= 0 || x.lo == last.hi.next() {
				if x.hi.cmp(last.hi) > 0 {
					last.hi = x.hi
				}
				continue
			}
		}
		out = append(out, x)
	}
	return slices.Clip(out)
}

// merge combines the spans of several lists into sorted disjoint spans, each
// labelled with the lowest list id covering it (the first list wins on
// overlap). It sweeps over the points where coverage can change, keeping the
// spans that cover the current point in a heap ordered by id.
func merge(all []span) []span {
	if len(all) == 0 {
		return nil
	}
	maxAddr := u128{^uint64(0), ^uint64(0)}
	points := make([]u128, 0, 2*len(all))
	for _, s := range all {
		points = append(points, s.lo)
		if s.hi != maxAddr {
			points = append(points, s.hi.next())
		}
	}
	slices.SortFunc(points, u128.cmp)
	points = slices.Compact(points)
	slices.SortFunc(all, func(a, b span) int { return a.lo.cmp(b.lo) })

	var out []span
	var active byID
	next := 0
	for k, p := range points {
		for next < len(all) && all[next].lo.cmp(p) <= 0 {
			heap.Push(&active, all[next])
			next++
		}
		for active.Len() > 0 && active[0].hi.cmp(p) < 0 {
			heap.Pop(&active)
		}
		if active.Len() == 0 {
			continue
		}
		end := maxAddr
		if k+1 < len(points) {
			end = points[k+1].prev()
		}
		id := active[0].id
		if n := len(out); n > 0 && out[n-1].id == id && out[n-1].hi.next() == p {
			out[n-1].hi = end
			continue
		}
		out = append(out, span{lo: p, hi: end, id: id})
	}
	return out
}

// byID is a min-heap of spans by list id.
type byID []span

func (h byID) Len() int           { return len(h) }
func (h byID) Less(i, j int) bool { return h[i].id < h[j].id }
func (h byID) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *byID) Push(x any)        { *h = append(*h, x.(span)) }
func (h *byID) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
