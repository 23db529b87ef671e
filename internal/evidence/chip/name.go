package chip

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"slices"
	"strings"
)

// sameName compares two DER Names as sets of attributes: the same
// (type, value) pairs in any RDN order or grouping, string values compared
// after RFC 4518-style folding (case, leading/trailing and repeated inner
// spaces insignificant, as RFC 5280 7.1 asks for caseIgnoreMatch). RFC 5280
// orders RDNs; we do not because a real SOD (MY) lists its DS issuer's
// attributes in another order than the certificate, and the match only
// selects which key must then verify the signature. Unparsable names never
// match.
func sameName(a, b []byte) bool {
	ka, ok := nameKeys(a)
	if !ok {
		return false
	}
	kb, ok := nameKeys(b)
	return ok && slices.Equal(ka, kb)
}

func nameKeys(der []byte) ([]string, bool) {
	var rdns pkix.RDNSequence
	rest, err := asn1.Unmarshal(der, &rdns)
	if err != nil || len(rest) != 0 || len(rdns) == 0 {
		return nil, false
	}
	var keys []string
	for _, rdn := range rdns {
		for _, atv := range rdn {
			var v string
			switch x := atv.Value.(type) {
			case string:
				v = "s:" + strings.Join(strings.Fields(strings.ToLower(x)), " ")
			default:
				v = fmt.Sprintf("%T:%v", x, x)
			}
			keys = append(keys, atv.Type.String()+"="+v)
		}
	}
	slices.Sort(keys)
	return keys, true
}

// NameKey returns a canonical string for a DER Name under the sameName rule:
// two names match exactly when their keys are equal. Callers use it to index
// certificates by name. ok is false for unparsable names.
func NameKey(der []byte) (key string, ok bool) {
	k, ok := nameKeys(der)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for _, s := range k {
		fmt.Fprintf(&b, "%d:%s;", len(s), s) // length-prefixed: no separator collisions
	}
	return b.String(), true
}

// SameNameDER reports whether two DER Names match under the sameName rule
// (attributes in any order, strings compared case- and space-insensitively).
func SameNameDER(a, b []byte) bool { return sameName(a, b) }
