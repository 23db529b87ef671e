package netlist

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
)

// Limits on a list file, far above real lists (the largest public hosting
// lists have some tens of thousands of prefixes).
const (
	MaxLineLen = 1024
	maxErrors  = 10 // problems reported per file before giving up
	// maxEntryLen is longer than any address or prefix
	// ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128" is 49 bytes),
	// and keeps errors about garbage short.
	maxEntryLen = 64
)

// maxEntries bounds the memory a list can take; a variable so tests can
// reach it cheaply.
var maxEntries = 1 << 20

// List is one parsed list: its name and its networks as sorted, disjoint
// ranges. It is immutable.
type List struct {
	name    string
	entries int
	v4, v6  []span
}

// Name is the list's name, as given to Parse.
func (l *List) Name() string { return l.name }

// Len is the number of entries (lines with an address or prefix).
func (l *List) Len() int { return l.entries }

// Parse reads a list from r. name identifies the list in matches and in
// errors; it must be 1 to 64 letters, digits, '-', '_' or '.'. Every problem
// is reported with its line number (up to ten); a list without entries is
// an error, since an empty list silently matching nothing is most likely a
// wrong file.
func Parse(name string, r io.Reader) (*List, error) {
	return parse(name, "line ", r)
}

// Load reads the list file at path.
func Load(name, path string) (*List, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("netlist %q: %w", name, err)
	}
	defer f.Close()
	return parse(name, path+":", f)
}

// parse reads a list; where prefixes line numbers in errors.
func parse(name, where string, r io.Reader) (*List, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	l := &List{name: name}
	var errs []error
	nerr := 0
	report := func(line int, err error) {
		if nerr++; nerr <= maxErrors {
			errs = append(errs, fmt.Errorf("netlist %q: %s%d: %w", name, where, line, err))
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), MaxLineLen+2) // the limit counts the line end (\r\n) too
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) > MaxLineLen {
			report(line, fmt.Errorf("line longer than %d bytes", MaxLineLen))
			continue
		}
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff") // a byte order mark from some editors
		}
		p, ok, err := parseLine(text)
		if err != nil {
			report(line, err)
			continue
		}
		if !ok {
			continue
		}
		if l.entries++; l.entries > maxEntries {
			return nil, fmt.Errorf("netlist %q: %s%d: more than %d entries", name, where, line, maxEntries)
		}
		if s := spanOf(p); p.Addr().Is4() {
			l.v4 = append(l.v4, s)
		} else {
			l.v6 = append(l.v6, s)
		}
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		report(line+1, fmt.Errorf("line longer than %d bytes", MaxLineLen))
	} else if err != nil {
		return nil, fmt.Errorf("netlist %q: read: %w", name, err)
	}
	if nerr > maxErrors {
		errs = append(errs, fmt.Errorf("netlist %q: %d more problems", name, nerr-maxErrors))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if l.entries == 0 {
		return nil, fmt.Errorf("netlist %q: no entries", name)
	}
	l.v4, l.v6 = coalesce(l.v4), coalesce(l.v6)
	return l, nil
}

// parseLine returns the prefix on one line, masked and with IPv4-mapped
// addresses turned into IPv4; ok is false for blank and comment lines.
func parseLine(text string) (p netip.Prefix, ok bool, err error) {
	if i := strings.IndexByte(text, '#'); i >= 0 {
		text = text[:i]
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return netip.Prefix{}, false, nil
	}
	if i := strings.IndexAny(text, " \t"); i >= 0 {
		return netip.Prefix{}, false, fmt.Errorf("one address or prefix per line; unexpected %q after %q",
			strings.TrimSpace(text[i:]), text[:i])
	}
	if len(text) > maxEntryLen {
		return netip.Prefix{}, false, fmt.Errorf("%q... is not an IP address or CIDR prefix (too long)", text[:maxEntryLen])
	}
	if strings.Contains(text, "/") {
		p, err = netip.ParsePrefix(text)
		if err != nil {
			return netip.Prefix{}, false, fmt.Errorf("not a CIDR prefix: %w", err)
		}
		if m := p.Masked(); m != p {
			return netip.Prefix{}, false, fmt.Errorf("%s has host bits set (the network is %s)", p, m)
		}
	} else {
		a, err := netip.ParseAddr(text)
		if err != nil {
			return netip.Prefix{}, false, fmt.Errorf("not an IP address or CIDR prefix: %w", err)
		}
		if a.Zone() != "" {
			return netip.Prefix{}, false, fmt.Errorf("%s: zones are not allowed", text)
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	// Match looks IPv4-mapped addresses up as IPv4, so store them that way.
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p, true, nil
}

func checkName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("netlist: name %q must be 1 to 64 characters", name)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("netlist: name %q may only hold letters, digits, '-', '_' and '.'", name)
		}
	}
	return nil
}
