package email

import (
	"net/mail"
	"strings"
)

// Limits from RFC 5321 section 4.5.3.1; longer input is refused before parsing.
const (
	maxAddressLen = 254
	maxLocalLen   = 64
	maxDomainLen  = 253
	maxLabelLen   = 63
)

// NormalizeAddress returns the canonical form of a bare work email address:
// surrounding space trimmed and the domain lower-cased (the local part is
// kept as typed: RFC 5321 leaves its case to the receiving server). It
// refuses display names, comments, quoted local parts, address literals,
// non-ASCII text and single-label domains, with ReasonAddressInvalid.
func NormalizeAddress(s string) (string, error) {
	if len(s) > 2*maxAddressLen { // bound the parser's work on hostile input
		return "", refuse(ReasonAddressInvalid)
	}
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxAddressLen {
		return "", refuse(ReasonAddressInvalid)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return "", refuse(ReasonAddressInvalid)
		}
	}
	parsed, err := mail.ParseAddress(s)
	// Only a bare addr-spec survives the round trip unchanged: a display
	// name, angle brackets, a comment or quotes all change it.
	if err != nil || parsed.Name != "" || parsed.Address != s {
		return "", refuse(ReasonAddressInvalid)
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if at < 1 || len(local) > maxLocalLen || !validDomain(domain) {
		return "", refuse(ReasonAddressInvalid)
	}
	return local + "@" + domain, nil
}

// validDomain accepts lower-case DNS host names of two or more labels whose
// last label is not all digits (which keeps IPv4 addresses out).
func validDomain(d string) bool {
	if d == "" || len(d) > maxDomainLen {
		return false
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > maxLabelLen || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return strings.Trim(labels[len(labels)-1], "0123456789") != ""
}

// domainOf returns the domain of a normalised address.
func domainOf(addr string) string {
	return addr[strings.LastIndexByte(addr, '@')+1:]
}

// limitKey maps a normalised address to the mailbox that rate limits and
// lockouts count against: the local part lower-cased and stripped of any
// "+tag", so that Bob+1@corp.example and bob@corp.example share one budget.
func limitKey(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	local := strings.ToLower(addr[:at])
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	return local + addr[at:]
}
