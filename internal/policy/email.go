package policy

import (
	"fmt"
	"strings"
)

// emailMatcher matches the identity's email, case-insensitively.
type emailMatcher struct{ set foldSet }

var _ matcher = (*emailMatcher)(nil)

func compileEmail(l []string, path string) (*emailMatcher, []error) {
	errs := checkList(l, path)
	for _, v := range l {
		if v == "" {
			continue
		}
		at := strings.LastIndexByte(v, '@')
		if at <= 0 || checkDomain(v[at+1:]) != nil || strings.ContainsAny(v, " \t\r\n") {
			errs = append(errs, fmt.Errorf("%s: %q is not an email address", path, v))
		}
	}
	return &emailMatcher{set: newFoldSet(l)}, errs
}

// An unverified email never matches: anyone can type an address into an
// account at some providers. Providers that vouch for emails without
// sending email_verified are marked by assume_email_verified in config.
func (m *emailMatcher) match(in Input) (tri, *Reason) {
	e := in.Identity.Email
	return boolTri(e != "" && in.Identity.EmailVerified && m.set.has(e)), nil
}

// domainMatcher matches the domain of the identity's email exactly: a
// domain does not cover its subdomains, nor names that merely end with it.
type domainMatcher struct{ set foldSet }

var _ matcher = (*domainMatcher)(nil)

func compileEmailDomain(l []string, path string) (*domainMatcher, []error) {
	errs := checkList(l, path)
	for _, v := range l {
		if v == "" {
			continue
		}
		if err := checkDomain(v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not an email domain: %w", path, v, err))
		}
	}
	return &domainMatcher{set: newFoldSet(l)}, errs
}

func (m *domainMatcher) match(in Input) (tri, *Reason) {
	e := in.Identity.Email
	if !in.Identity.EmailVerified {
		return no, nil
	}
	at := strings.LastIndexByte(e, '@')
	if at <= 0 || at == len(e)-1 {
		return no, nil
	}
	return boolTri(m.set.has(e[at+1:])), nil
}

// checkDomain accepts an ASCII DNS name of at least two labels: letters,
// digits and inner hyphens (internationalised names in their xn-- form).
func checkDomain(d string) error {
	switch {
	case d == "":
		return fmt.Errorf("empty")
	case strings.HasPrefix(d, "@"):
		return fmt.Errorf("write the domain without @")
	case strings.Contains(d, "*"):
		return fmt.Errorf("wildcards are not supported: list each domain")
	case len(d) > 253:
		return fmt.Errorf("longer than 253 characters")
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return fmt.Errorf("want a name with a dot, such as example.com")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return fmt.Errorf("empty or over-long label")
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("label %q starts or ends with a hyphen", l)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return fmt.Errorf("character %q not allowed (use the xn-- form for international names)", c)
			}
		}
	}
	return nil
}
