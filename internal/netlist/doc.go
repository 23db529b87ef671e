// Package netlist matches client addresses against named lists of networks
// (hosting providers, VPN exits, Tor relays, a company's own ranges) for the
// risk detectors.
//
// A list file holds one IPv4 or IPv6 address or CIDR prefix per line; "#"
// starts a comment, blank lines are ignored:
//
//	# hosting providers, from their published ranges
//	203.0.113.0/24     # TEST-NET-3
//	2001:db8::/32
//	198.51.100.7
//
// The list's name comes from configuration, not from the file. Parsing is
// strict (a prefix with host bits set is an error, since it is usually a
// typo) and reports problems with line numbers. A Set compiles several lists
// into sorted, disjoint ranges, so Match is one binary search per address
// family and allocates nothing. This package must never resolve names or
// reach the network.
package netlist
