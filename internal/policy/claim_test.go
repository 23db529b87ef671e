package policy

import (
	"encoding/json"
	"testing"

	"github.com/vigil-gw/vigil/internal/identity"
)

func TestClaim(t *testing.T) {
	claim := func(k string, v any) *identity.Identity {
		return with(func(i *identity.Identity) { i.Claims = map[string]any{k: v} })
	}
	runSelectorCases(t, []selCase{
		{name: "string equal", sel: `{claim: {name: dept, values: eng}}`, id: alice(), want: true},
		{name: "string one of", sel: `{claim: {name: dept, values: [sales, eng]}}`, id: alice(), want: true},
		{name: "string differs", sel: `{claim: {name: dept, values: sales}}`, id: alice(), want: false},
		{name: "string case-sensitive", sel: `{claim: {name: dept, values: ENG}}`, id: alice(), want: false},
		{name: "array contains", sel: `{claim: {name: roles, values: ops}}`, id: alice(), want: true},
		{name: "array lacks", sel: `{claim: {name: roles, values: admin}}`, id: alice(), want: false},
		{name: "string array", sel: `{claim: {name: roles, values: ops}}`, id: claim("roles", []string{"dev", "ops"}), want: true},
		{name: "number", sel: `{claim: {name: level, values: "3"}}`, id: alice(), want: true},
		{name: "number other form", sel: `{claim: {name: level, values: "3.0"}}`, id: alice(), want: true},
		{name: "number differs", sel: `{claim: {name: level, values: "4"}}`, id: alice(), want: false},
		{name: "int claim", sel: `{claim: {name: level, values: "3"}}`, id: claim("level", 3), want: true},
		{name: "int64 claim", sel: `{claim: {name: level, values: "3"}}`, id: claim("level", int64(3)), want: true},
		{name: "json.Number claim", sel: `{claim: {name: level, values: "3"}}`, id: claim("level", json.Number("3")), want: true},
		{name: "number in array", sel: `{claim: {name: levels, values: "2"}}`, id: claim("levels", []any{1.0, 2.0}), want: true},
		{name: "bool false", sel: `{claim: {name: contractor, values: "false"}}`, id: alice(), want: true},
		{name: "bool true wanted", sel: `{claim: {name: contractor, values: "true"}}`, id: alice(), want: false},
		{name: "bool true", sel: `{claim: {name: staff, values: "true"}}`, id: claim("staff", true), want: true},
		{name: "bool spelled differently", sel: `{claim: {name: staff, values: "True"}}`, id: claim("staff", true), want: false},
		{name: "string claim not number", sel: `{claim: {name: level, values: "3"}}`, id: claim("level", "3.0"), want: false},
		{name: "object never matches", sel: `{claim: {name: org, values: x}}`, id: claim("org", map[string]any{"x": "x"}), want: false},
		{name: "nested array never matches", sel: `{claim: {name: r, values: x}}`, id: claim("r", []any{[]any{"x"}}), want: false},
		{name: "null claim", sel: `{claim: {name: r, values: x}}`, id: claim("r", nil), want: false},
		{name: "missing claim", sel: `{claim: {name: team, values: eng}}`, id: alice(), want: false},
		{name: "no claims", sel: `{claim: {name: dept, values: eng}}`, id: with(func(i *identity.Identity) { i.Claims = nil }), want: false},
		{name: "not signed in", sel: `{claim: {name: dept, values: eng}}`, id: nil, want: false},
	})
}
