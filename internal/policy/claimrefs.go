package policy

import (
	"maps"
	"slices"

	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/types/ref"
)

// ClaimRefs are the ID-token claims a policy can read: by name in claim
// selectors and in CEL as user.claims.name or user.claims["name"]. All is
// set when a CEL expression uses user.claims in any other way (iterates
// it, passes it whole, indexes it by a computed key): then every claim
// matters. The session cache keeps only what some policy can read.
type ClaimRefs struct {
	Names []string // sorted, without duplicates
	All   bool
}

// Claims reports the claims p can read.
func (p *Policy) Claims() ClaimRefs {
	if p == nil {
		return ClaimRefs{}
	}
	return p.claims
}

// Merge is the union of two sets of references.
func (c ClaimRefs) Merge(o ClaimRefs) ClaimRefs {
	set := map[string]bool{}
	for _, n := range c.Names {
		set[n] = true
	}
	for _, n := range o.Names {
		set[n] = true
	}
	return ClaimRefs{Names: slices.Sorted(maps.Keys(set)), All: c.All || o.All}
}

// collectClaims gathers the claim references of every selector of p.
func (p *Policy) collectClaims() {
	set := map[string]bool{}
	all := false
	for _, rs := range [][]rule{p.bypass, p.rules} {
		for _, r := range rs {
			for _, list := range [][]selector{r.include, r.require, r.exclude} {
				for _, s := range list {
					switch m := s.m.(type) {
					case *claimMatcher:
						set[m.name] = true
					case *celMatcher:
						for _, n := range m.claims {
							set[n] = true
						}
						all = all || m.allClaims
					}
				}
			}
		}
	}
	p.claims = ClaimRefs{Names: slices.Sorted(maps.Keys(set)), All: all}
}

// celClaimRefs finds the claims a checked expression reads through
// user.claims, or reports that it may read any.
func celClaimRefs(a *celast.AST) (names []string, all bool) {
	root := celast.NavigateAST(a)
	claims := celast.MatchDescendants(root, func(e celast.NavigableExpr) bool { return isUserClaims(e) })
	for _, c := range claims {
		parent, ok := c.Parent()
		if !ok {
			return nil, true
		}
		switch parent.Kind() {
		case celast.SelectKind:
			if sel := parent.AsSelect(); sel.Operand().ID() == c.ID() {
				names = append(names, sel.FieldName())
				continue
			}
		case celast.CallKind:
			call := parent.AsCall()
			if call.FunctionName() == "_[_]" && len(call.Args()) == 2 && call.Args()[0].ID() == c.ID() {
				if k := call.Args()[1]; k.Kind() == celast.LiteralKind {
					if s, ok := literalString(k.AsLiteral()); ok {
						names = append(names, s)
						continue
					}
				}
			}
		}
		return nil, true
	}
	return names, false
}

// isUserClaims matches the expression user.claims.
func isUserClaims(e celast.NavigableExpr) bool {
	if e.Kind() != celast.SelectKind {
		return false
	}
	sel := e.AsSelect()
	op := sel.Operand()
	return sel.FieldName() == "claims" && !sel.IsTestOnly() && op.Kind() == celast.IdentKind && op.AsIdent() == "user"
}

func literalString(v ref.Val) (string, bool) {
	s, ok := v.Value().(string)
	return s, ok
}
