package ida

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"time"
)

// Filter returns the part of vc that req asks for, following IDA 1.0 (final) on unfulfillable requests:
//   - only the requested claims and verification members are returned, plus the members the schema
//     requires (trust_framework, evidence type, check_method, ...);
//   - a claim whose value, values or max_age constraint is not met is omitted;
//   - when a constraint inside verification is not met (trust_framework value, assurance_level values,
//     time max_age, evidence type, check_method, ...) or no claim is left, the whole verified_claims is
//     omitted: Filter returns false. This is not an error; the OP answers without it.
//
// Evidence and other arrays: each held entry is kept, filtered, if it matches one of the requested
// entries; entries matching none are dropped, and if none is left the request cannot be met.
// max_age is measured from now; a date counts from its last second.
func Filter(vc VerifiedClaims, req Request, now time.Time) (VerifiedClaims, bool) {
	if req.Verification == nil {
		return VerifiedClaims{}, false
	}
	var held struct {
		Verification map[string]any `json:"verification"`
		Claims       map[string]any `json:"claims"`
	}
	b, err := json.Marshal(vc)
	if err != nil || decodeNumbers(b, &held) != nil {
		return VerifiedClaims{}, false
	}
	v, ok := filterObject(held.Verification, req.Verification, now)
	if !ok {
		return VerifiedClaims{}, false
	}
	claims := held.Claims
	if req.Claims != nil {
		claims = make(map[string]any, len(req.Claims))
		for name, e := range req.Claims {
			val, present := held.Claims[name]
			if present && (!e.constrains() || satisfies(val, e, now)) {
				claims[name] = val
			}
		}
	}
	if len(claims) == 0 {
		return VerifiedClaims{}, false
	}
	b, err = json.Marshal(map[string]any{"verification": v, "claims": claims})
	if err != nil {
		return VerifiedClaims{}, false
	}
	var out VerifiedClaims
	if err := json.Unmarshal(b, &out); err != nil {
		return VerifiedClaims{}, false // fail closed: never hand out something that does not parse
	}
	return out, true
}

// FilterAll answers a verified_claims request (one or more Request) from everything the OP holds about
// the person: every (request, held) pair that Filter satisfies, in request order. An empty result means
// the verified_claims claim is omitted.
func FilterAll(held []VerifiedClaims, reqs []Request, now time.Time) List {
	var out List
	for _, r := range reqs {
		for _, vc := range held {
			if f, ok := Filter(vc, r, now); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

// alwaysKept are members the schema requires wherever they occur, returned even when not requested.
var alwaysKept = []string{"trust_framework", "type", "check_method", "check_id", "signature_type"}

func filterObject(data map[string]any, req *Element, now time.Time) (map[string]any, bool) {
	out := make(map[string]any, len(req.Fields)+2)
	for _, k := range alwaysKept {
		if v, ok := data[k]; ok {
			out[k] = v
		}
	}
	if data["type"] == EvidenceElectronicSignature {
		for _, k := range [...]string{"issuer", "serial_number"} {
			if v, ok := data[k]; ok {
				out[k] = v
			}
		}
	}
	for name, e := range req.Fields {
		val, present := data[name]
		if !present {
			if hasConstraint(e) {
				return nil, false // a constraint on data the OP does not hold cannot be met
			}
			continue
		}
		fv, ok := filterValue(val, e, now)
		if !ok {
			return nil, false
		}
		out[name] = fv
	}
	return out, true
}

func filterValue(val any, e *Element, now time.Time) (any, bool) {
	if e == nil {
		return val, true
	}
	if e.constrains() {
		return val, satisfies(val, e, now)
	}
	switch v := val.(type) {
	case map[string]any:
		if len(e.Fields) == 0 {
			return v, true
		}
		return filterObject(v, e, now)
	case []any:
		protos := e.Items
		if protos == nil {
			protos = []*Element{e}
		}
		var out []any
		for _, item := range v {
			for _, p := range protos {
				if fi, ok := filterValue(item, p, now); ok {
					out = append(out, fi)
					break
				}
			}
		}
		return out, len(out) > 0
	default:
		return val, !hasConstraint(e)
	}
}

// hasConstraint reports whether e or anything below it limits acceptable values.
func hasConstraint(e *Element) bool {
	if e == nil {
		return false
	}
	if e.constrains() {
		return true
	}
	for _, f := range e.Fields {
		if hasConstraint(f) {
			return true
		}
	}
	return slices.ContainsFunc(e.Items, hasConstraint)
}

// satisfies checks a held value against value, values and max_age. Only strings can satisfy them.
func satisfies(val any, e *Element, now time.Time) bool {
	s, ok := val.(string)
	if !ok {
		return false
	}
	if e.Value != nil && s != *e.Value {
		return false
	}
	if e.Values != nil && !slices.Contains(e.Values, s) {
		return false
	}
	if e.MaxAge != nil {
		var at time.Time
		if dt, err := ParseDateTime(s); err == nil {
			at = dt.Time()
		} else if d, err := ParseDate(s); err == nil {
			at = d.End()
		} else {
			return false
		}
		limit := time.Duration(min(*e.MaxAge, math.MaxInt64/int64(time.Second))) * time.Second
		if now.Sub(at) > limit {
			return false
		}
	}
	return true
}

// decodeNumbers decodes keeping numbers as json.Number so that they are written back unchanged.
func decodeNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}
