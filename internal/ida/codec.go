package ida

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// MaxVerifiedClaimsSize bounds the verified_claims JSON this package parses. Real attestations are a few
// kilobytes; attachments (embedded images) are the only large member and Vigil does not use them.
const MaxVerifiedClaimsSize = 256 << 10

// ErrInvalid is wrapped by every error about malformed verified_claims or claims requests.
var ErrInvalid = errors.New("ida: invalid")

// List is the verified_claims claim: one or more VerifiedClaims. It unmarshals from either the object
// or the array form and marshals as an array (both forms are valid; marshal a single VerifiedClaims to
// emit the object form).
type List []VerifiedClaims

// ParseVerifiedClaims parses the value of a verified_claims claim, object or array form, and validates
// its structure.
func ParseVerifiedClaims(data []byte) (List, error) {
	if len(data) > MaxVerifiedClaimsSize {
		return nil, fmt.Errorf("%w: verified_claims larger than %d bytes", ErrInvalid, MaxVerifiedClaimsSize)
	}
	var l List
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, wrapInvalid(err)
	}
	return l, nil
}

// UnmarshalJSON accepts an object or a non-empty array of objects.
func (l *List) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '{':
		var vc VerifiedClaims
		if err := json.Unmarshal(b, &vc); err != nil {
			return err
		}
		*l = List{vc}
		return nil
	case len(b) > 0 && b[0] == '[':
		var items []VerifiedClaims
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		if len(items) == 0 {
			return fmt.Errorf("%w: verified_claims is an empty array", ErrInvalid)
		}
		*l = items
		return nil
	default:
		return fmt.Errorf("%w: verified_claims must be an object or an array", ErrInvalid)
	}
}

// MarshalJSON writes the array form.
func (l List) MarshalJSON() ([]byte, error) { return json.Marshal([]VerifiedClaims(l)) }

type verifiedClaimsJSON VerifiedClaims

// UnmarshalJSON requires both members, rejects any other (the schema's additionalProperties: false) and
// validates the structure.
func (vc *VerifiedClaims) UnmarshalJSON(b []byte) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil || members == nil {
		return fmt.Errorf("%w: verified_claims entry must be an object", ErrInvalid)
	}
	for k := range members {
		if k != "verification" && k != "claims" {
			return fmt.Errorf("%w: verified_claims has unexpected member %q", ErrInvalid, truncate(k))
		}
	}
	for _, k := range [...]string{"verification", "claims"} {
		if raw, ok := members[k]; !ok || string(raw) == "null" {
			return fmt.Errorf("%w: verified_claims without %s", ErrInvalid, k)
		}
	}
	var v verifiedClaimsJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*vc = VerifiedClaims(v)
	return vc.Validate()
}

type verificationJSON Verification

// UnmarshalJSON keeps unknown members in Extra.
func (v *Verification) UnmarshalJSON(b []byte) error {
	var a verificationJSON
	extra, err := decodeWithExtra(b, &a, verificationKeys)
	if err != nil {
		return err
	}
	a.Extra = extra
	*v = Verification(a)
	return nil
}

// MarshalJSON writes the modelled members, then Extra.
func (v Verification) MarshalJSON() ([]byte, error) {
	return encodeWithExtra(verificationJSON(v), v.Extra, verificationKeys)
}

type evidenceJSON Evidence

// UnmarshalJSON keeps unknown members in Extra.
func (e *Evidence) UnmarshalJSON(b []byte) error {
	var a evidenceJSON
	extra, err := decodeWithExtra(b, &a, evidenceKeys)
	if err != nil {
		return err
	}
	a.Extra = extra
	*e = Evidence(a)
	return nil
}

// MarshalJSON writes the modelled members, then Extra.
func (e Evidence) MarshalJSON() ([]byte, error) {
	return encodeWithExtra(evidenceJSON(e), e.Extra, evidenceKeys)
}

type claimsJSON Claims

// UnmarshalJSON keeps claims this package does not model in Extra.
func (c *Claims) UnmarshalJSON(b []byte) error {
	var a claimsJSON
	extra, err := decodeWithExtra(b, &a, claimsKeys)
	if err != nil {
		return err
	}
	a.Extra = extra
	*c = Claims(a)
	return nil
}

// MarshalJSON writes the modelled claims, then Extra.
func (c Claims) MarshalJSON() ([]byte, error) {
	return encodeWithExtra(claimsJSON(c), c.Extra, claimsKeys)
}

var (
	verificationKeys = jsonKeys(reflect.TypeFor[Verification]())
	evidenceKeys     = jsonKeys(reflect.TypeFor[Evidence]())
	claimsKeys       = jsonKeys(reflect.TypeFor[Claims]())
)

// jsonKeys lists the JSON member names of a struct's fields.
func jsonKeys(t reflect.Type) map[string]bool {
	keys := make(map[string]bool, t.NumField())
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			keys[name] = true
		}
	}
	return keys
}

// decodeWithExtra decodes b into v and returns the members v does not model. encoding/json matches
// member names case-insensitively; a member that differs from a modelled one only by case is rejected,
// since it would otherwise be read as the modelled member and also written back as an extra one.
func decodeWithExtra(b []byte, v any, known map[string]bool) (map[string]json.RawMessage, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return nil, err
	}
	if members == nil {
		return nil, fmt.Errorf("%w: expected an object", ErrInvalid)
	}
	var extra map[string]json.RawMessage
	for k, raw := range members {
		if known[k] {
			continue
		}
		for name := range known {
			if strings.EqualFold(name, k) {
				return nil, fmt.Errorf("%w: member %q differs from %q only by case", ErrInvalid, truncate(k), name)
			}
		}
		if extra == nil {
			extra = make(map[string]json.RawMessage)
		}
		extra[k] = raw
	}
	if err := json.Unmarshal(b, v); err != nil {
		return nil, err
	}
	return extra, nil
}

// encodeWithExtra marshals v and appends the extra members in sorted order. Extra members named like a
// modelled one are skipped: the modelled field is authoritative.
func encodeWithExtra(v any, extra map[string]json.RawMessage, known map[string]bool) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if !known[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := bytes.NewBuffer(make([]byte, 0, len(b)+64*len(keys)))
	out.Write(b[:len(b)-1]) // drop the closing brace
	first := len(b) == 2    // "{}"
	for _, k := range keys {
		raw := extra[k]
		if !json.Valid(raw) {
			return nil, fmt.Errorf("%w: extra member %q is not valid JSON", ErrInvalid, truncate(k))
		}
		if !first {
			out.WriteByte(',')
		}
		first = false
		name, _ := json.Marshal(k)
		out.Write(name)
		out.WriteByte(':')
		out.Write(raw)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// wrapInvalid makes every parse error match ErrInvalid.
func wrapInvalid(err error) error {
	if errors.Is(err, ErrInvalid) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrInvalid, err)
}
