package policy

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/vigil-gw/vigil/internal/config"
)

// claimMatcher matches when the named top-level claim equals one of the
// values or, for an array claim, contains one. Booleans and numbers are
// compared by value with the configured strings parsed once at Compile
// ("true", "42", "4.2e1"), so matching never formats or allocates.
type claimMatcher struct {
	name    string
	strs    exactSet
	nums    []float64
	hasTrue bool
	hasFals bool
}

var _ matcher = (*claimMatcher)(nil)

func compileClaim(c *config.ClaimSelector, path string) (*claimMatcher, []error) {
	var errs []error
	if c.Name == "" {
		errs = append(errs, fmt.Errorf("%s.name: required", path))
	}
	errs = append(errs, checkList(c.Values, path+".values")...)
	m := &claimMatcher{name: c.Name, strs: newExactSet(c.Values)}
	for _, v := range c.Values {
		switch v {
		case "true":
			m.hasTrue = true
		case "false":
			m.hasFals = true
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			m.nums = append(m.nums, f)
		}
	}
	return m, errs
}

func (m *claimMatcher) match(in Input) (tri, *Reason) {
	v, ok := in.Identity.Claims[m.name]
	if !ok {
		return no, nil
	}
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if m.scalar(e) {
				return yes, nil
			}
		}
		return no, nil
	case []string:
		return boolTri(m.strs.hasAny(v)), nil
	}
	return boolTri(m.scalar(v)), nil
}

// scalar compares one claim value; nested arrays and objects never match.
func (m *claimMatcher) scalar(v any) bool {
	switch v := v.(type) {
	case string:
		return m.strs.has(v)
	case bool:
		return v && m.hasTrue || !v && m.hasFals
	case float64:
		return m.num(v)
	case float32:
		return m.num(float64(v))
	case int:
		return m.num(float64(v))
	case int64:
		return m.num(float64(v))
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		return err == nil && m.num(f)
	}
	return false
}

func (m *claimMatcher) num(f float64) bool {
	for _, n := range m.nums {
		if n == f {
			return true
		}
	}
	return false
}
