package ida

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"
)

// MaxRequestSize bounds the claims request parameter this package parses.
const MaxRequestSize = 16 << 10

// maxDepth bounds element nesting; the deepest schema path (verification.assurance_process.
// assurance_details[].evidence_ref[].evidence_metadata.evidence_classification) is 7 levels.
const maxDepth = 10

// ClaimsRequest holds the verified_claims elements of an OIDC claims request parameter. Other members of
// the parameter (acr, email, ...) are left to the caller.
type ClaimsRequest struct {
	IDToken  []Request
	UserInfo []Request
}

// Request is one verified_claims request element.
type Request struct {
	// Verification is never nil; it always names trust_framework.
	Verification *Element
	// Claims maps requested claim names to their element (nil for JSON null). A nil map means the RP
	// sent "claims": null, which asks for every verified claim the OP holds.
	Claims map[string]*Element
}

// Element is one element of a claims request: JSON null is a nil *Element, an object is an Element.
// Essential, Value, Values, MaxAge and Purpose are the OIDC Core / IDA members; Fields holds the other
// members, which name nested fields (document_details, issuer, ...); Items holds the entries of an array
// element (evidence, check_details, assurance_details, evidence_ref), each a filter for held entries.
type Element struct {
	Essential bool
	Value     *string
	Values    []string
	MaxAge    *int64 // seconds
	Purpose   string
	Fields    map[string]*Element
	Items     []*Element
}

// constrains reports whether e limits the acceptable values (essential and purpose do not).
func (e *Element) constrains() bool {
	return e != nil && (e.Value != nil || e.Values != nil || e.MaxAge != nil)
}

// ParseClaimsRequest parses an OIDC claims request parameter and returns its verified_claims elements.
// A malformed verified_claims element is an error (answer invalid_request); a parameter without one
// returns an empty ClaimsRequest.
func ParseClaimsRequest(data []byte) (ClaimsRequest, error) {
	var out ClaimsRequest
	if len(data) > MaxRequestSize {
		return out, fmt.Errorf("%w: claims parameter larger than %d bytes", ErrInvalid, MaxRequestSize)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		return out, fmt.Errorf("%w: claims parameter must be a JSON object", ErrInvalid)
	}
	for _, target := range [...]struct {
		name string
		dst  *[]Request
	}{{"id_token", &out.IDToken}, {"userinfo", &out.UserInfo}} {
		raw, ok := top[target.name]
		if !ok {
			continue
		}
		var members map[string]json.RawMessage
		if err := json.Unmarshal(raw, &members); err != nil || members == nil {
			return ClaimsRequest{}, fmt.Errorf("%w: claims.%s must be an object", ErrInvalid, target.name)
		}
		vc, ok := members["verified_claims"]
		if !ok {
			continue
		}
		reqs, err := ParseVerifiedClaimsRequest(vc)
		if err != nil {
			return ClaimsRequest{}, fmt.Errorf("claims.%s.verified_claims: %w", target.name, err)
		}
		*target.dst = reqs
	}
	return out, nil
}

// ParseVerifiedClaimsRequest parses the value of one verified_claims request element: an object or a
// non-empty array of objects.
func ParseVerifiedClaimsRequest(data []byte) ([]Request, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return nil, wrapInvalid(err)
		}
		if len(items) == 0 {
			return nil, fmt.Errorf("%w: empty verified_claims array", ErrInvalid)
		}
		reqs := make([]Request, 0, len(items))
		for i, it := range items {
			r, err := parseRequest(it)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			reqs = append(reqs, r)
		}
		return reqs, nil
	}
	r, err := parseRequest(data)
	if err != nil {
		return nil, err
	}
	return []Request{r}, nil
}

func parseRequest(data []byte) (Request, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil || members == nil {
		return Request{}, fmt.Errorf("%w: verified_claims request must be an object", ErrInvalid)
	}
	for k := range members {
		if k != "verification" && k != "claims" {
			return Request{}, fmt.Errorf("%w: unexpected member %q", ErrInvalid, truncate(k))
		}
	}
	rawV, okV := members["verification"]
	rawC, okC := members["claims"]
	if !okV || !okC {
		return Request{}, fmt.Errorf("%w: verification and claims are both required", ErrInvalid)
	}
	v, err := parseElement(rawV, 0)
	if err != nil {
		return Request{}, fmt.Errorf("verification: %w", err)
	}
	if err := checkVerificationShape(v); err != nil {
		return Request{}, err
	}
	r := Request{Verification: v}
	if string(bytes.TrimSpace(rawC)) == "null" {
		return r, nil
	}
	c, err := parseElement(rawC, 0)
	if err != nil {
		return Request{}, fmt.Errorf("claims: %w", err)
	}
	// The claims element names claims only; a member called "value" or "essential" would be a claim.
	if c == nil || c.Items != nil || c.constrains() || c.Essential || c.Purpose != "" || len(c.Fields) == 0 {
		return Request{}, fmt.Errorf("%w: claims must be null or an object naming at least one claim", ErrInvalid)
	}
	for name, e := range c.Fields {
		if e != nil && (e.Items != nil || e.Fields != nil) {
			return Request{}, fmt.Errorf("%w: claims.%s must be null or an object of request members", ErrInvalid, truncate(name))
		}
	}
	r.Claims = c.Fields
	return r, nil
}

// parseElement parses null, an object element or an array of elements.
func parseElement(raw json.RawMessage, depth int) (*Element, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: nested too deep", ErrInvalid)
	}
	raw = bytes.TrimSpace(raw)
	switch {
	case string(raw) == "null":
		return nil, nil
	case len(raw) > 0 && raw[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, wrapInvalid(err)
		}
		if len(items) == 0 {
			return nil, fmt.Errorf("%w: empty array", ErrInvalid)
		}
		e := &Element{Items: make([]*Element, 0, len(items))}
		for _, it := range items {
			ie, err := parseElement(it, depth+1)
			if err != nil {
				return nil, err
			}
			if ie != nil && ie.Items != nil {
				return nil, fmt.Errorf("%w: array inside array", ErrInvalid)
			}
			e.Items = append(e.Items, ie)
		}
		return e, nil
	case len(raw) > 0 && raw[0] == '{':
	default:
		return nil, fmt.Errorf("%w: element must be null, an object or an array", ErrInvalid)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, wrapInvalid(err)
	}
	e := &Element{}
	for k, v := range members {
		if err := e.setMember(k, v, depth); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func (e *Element) setMember(k string, v json.RawMessage, depth int) error {
	bad := func(want string) error { return fmt.Errorf("%w: %s must be %s", ErrInvalid, k, want) }
	switch k {
	case "essential":
		if json.Unmarshal(v, &e.Essential) != nil || string(v) == "null" {
			return bad("a boolean")
		}
	case "value":
		var s string
		if json.Unmarshal(v, &s) != nil || string(v) == "null" {
			return bad("a string")
		}
		e.Value = &s
	case "values":
		if json.Unmarshal(v, &e.Values) != nil || len(e.Values) == 0 {
			return bad("a non-empty array of strings")
		}
	case "max_age":
		n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
		if err != nil || n < 0 {
			return bad("a non-negative integer")
		}
		e.MaxAge = &n
	case "purpose":
		// IDA: purpose shorter than 3 or longer than 300 characters fails the request.
		if json.Unmarshal(v, &e.Purpose) != nil || utf8.RuneCountInString(e.Purpose) < 3 || utf8.RuneCountInString(e.Purpose) > 300 {
			return bad("a string of 3 to 300 characters")
		}
	default:
		if c := firstByte(v); c != 'n' && c != '{' && c != '[' {
			return nil // OIDC Core: members that are not understood are ignored
		}
		f, err := parseElement(v, depth+1)
		if err != nil {
			return fmt.Errorf("%s: %w", truncate(k), err)
		}
		if e.Fields == nil {
			e.Fields = make(map[string]*Element)
		}
		e.Fields[k] = f
	}
	return nil
}

// arrayFields are the verification members that are arrays; every other member is an element.
var arrayFields = []string{"evidence", "check_details", "assurance_details", "evidence_ref"}

// objectFields must be objects, never null: the schema requires it.
var objectFields = []string{"assurance_process", "document_details", "record", "attestation", "source", "voucher", "evidence_metadata"}

var evidenceTypes = []string{EvidenceDocument, EvidenceElectronicRecord, EvidenceVouch, EvidenceElectronicSignature}

// requiredIn lists, per array field, the member each entry must name.
var requiredIn = map[string]string{"evidence": "type", "check_details": "check_method", "evidence_ref": "check_id"}

// checkVerificationShape enforces what the request schema says about the verification element that the
// generic element parser cannot know.
func checkVerificationShape(v *Element) error {
	if v == nil || v.Items != nil {
		return fmt.Errorf("%w: verification must be an object", ErrInvalid)
	}
	if _, ok := v.Fields["trust_framework"]; !ok {
		return fmt.Errorf("%w: verification must name trust_framework", ErrInvalid)
	}
	return checkShape("verification", v)
}

func checkShape(path string, e *Element) error {
	for name, f := range e.Fields {
		p := path + "." + truncate(name)
		isArray := slices.Contains(arrayFields, name)
		switch {
		case isArray && (f == nil || f.Items == nil):
			return fmt.Errorf("%w: %s must be an array", ErrInvalid, p)
		case !isArray && f != nil && f.Items != nil:
			return fmt.Errorf("%w: %s must not be an array", ErrInvalid, p)
		case slices.Contains(objectFields, name) && f == nil:
			return fmt.Errorf("%w: %s must be an object", ErrInvalid, p)
		}
		if f == nil {
			continue
		}
		for i, it := range f.Items {
			ip := fmt.Sprintf("%s[%d]", p, i)
			if it == nil {
				return fmt.Errorf("%w: %s must be an object", ErrInvalid, ip)
			}
			if req, ok := requiredIn[name]; ok {
				if _, ok := it.Fields[req]; !ok {
					return fmt.Errorf("%w: %s must name %s", ErrInvalid, ip, req)
				}
			}
			if name == "evidence" {
				if err := checkEvidenceType(ip, it.Fields["type"]); err != nil {
					return err
				}
			}
			if err := checkShape(ip, it); err != nil {
				return err
			}
		}
		if err := checkShape(p, f); err != nil {
			return err
		}
	}
	return nil
}

// checkEvidenceType: the request schema requires evidence[].type to be an object, whose value (and, more
// strictly here, values) are evidence types.
func checkEvidenceType(path string, t *Element) error {
	if t == nil {
		return fmt.Errorf("%w: %s.type must be an object", ErrInvalid, path)
	}
	vals := slices.Clone(t.Values)
	if t.Value != nil {
		vals = append(vals, *t.Value)
	}
	for _, v := range vals {
		if !slices.Contains(evidenceTypes, v) {
			return fmt.Errorf("%w: %s.type: unknown evidence type %q", ErrInvalid, path, truncate(v))
		}
	}
	return nil
}

func firstByte(b []byte) byte {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0
	}
	return b[0]
}
