package set

import (
	"encoding/json"
	"sort"
	"strings"
)

// Key returns a canonical string for the subject, for equality and storage:
// the format, then its value. Email domains are lowercased (domains are
// case-insensitive, local parts may not be); iss_sub is iss, a space and
// sub; aliases are their identifiers' keys sorted; complex subjects are
// their members' keys in the order user, session, device, application,
// tenant, org_unit, group. Composite keys are JSON-encoded lists, so no
// choice of member values makes two different subjects share a key.
func (s Subject) Key() string {
	switch s.Format {
	case FormatEmail:
		at := strings.LastIndexByte(s.Email, '@')
		if at < 0 {
			return "email:" + s.Email
		}
		return "email:" + s.Email[:at] + "@" + strings.ToLower(s.Email[at+1:])
	case FormatIssSub:
		return "iss_sub:" + s.Iss + " " + s.Sub
	case FormatOpaque:
		return "opaque:" + s.ID
	case FormatPhoneNumber:
		return "phone_number:" + s.PhoneNumber
	case FormatAccount, FormatDID, FormatURI:
		return s.Format + ":" + s.URI
	case FormatAliases:
		keys := make([]string, len(s.Identifiers))
		for i := range s.Identifiers {
			keys[i] = s.Identifiers[i].Key()
		}
		sort.Strings(keys)
		return "aliases:" + mustJSON(keys)
	case FormatComplex:
		var pairs [][2]string
		for _, m := range s.members() {
			pairs = append(pairs, [2]string{m.name, m.sub.Key()})
		}
		return "complex:" + mustJSON(pairs)
	}
	return "unknown:" + mustJSON(s)
}

// mustJSON encodes values that cannot fail to encode (strings and
// subjects built from strings).
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// truncate bounds outside text that is echoed in an error.
func truncate(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}
