package policy

import "strings"

// mapAbove is the list length from which sets also build a map: below it a
// linear scan is faster than hashing.
const mapAbove = 8

// exactSet is a set of case-sensitive strings.
type exactSet struct {
	list []string
	m    map[string]struct{}
}

func newExactSet(l []string) exactSet {
	s := exactSet{list: append([]string(nil), l...)}
	if len(l) > mapAbove {
		s.m = make(map[string]struct{}, len(l))
		for _, v := range l {
			s.m[v] = struct{}{}
		}
	}
	return s
}

func (s *exactSet) has(v string) bool {
	if s.m != nil {
		_, ok := s.m[v]
		return ok
	}
	for _, x := range s.list {
		if x == v {
			return true
		}
	}
	return false
}

// hasAny reports whether any of vs is in the set.
func (s *exactSet) hasAny(vs []string) bool {
	for _, v := range vs {
		if s.has(v) {
			return true
		}
	}
	return false
}

// foldSet is a set of strings compared case-insensitively (ASCII and
// Unicode simple folding, as strings.EqualFold).
type foldSet struct {
	list []string // lower-cased
	m    map[string]struct{}
}

func newFoldSet(l []string) foldSet {
	s := foldSet{list: make([]string, len(l))}
	for i, v := range l {
		s.list[i] = strings.ToLower(v)
	}
	if len(l) > mapAbove {
		s.m = make(map[string]struct{}, len(l))
		for _, v := range s.list {
			s.m[v] = struct{}{}
		}
	}
	return s
}

func (s *foldSet) has(v string) bool {
	// The map holds lower-case keys; identities normally carry lower-cased
	// emails, so the map is usable without allocating a lowered copy.
	if s.m != nil && isLowerASCII(v) {
		_, ok := s.m[v]
		return ok
	}
	for _, x := range s.list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// isLowerASCII reports whether v is ASCII without upper-case letters.
func isLowerASCII(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 0x80 || ('A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
