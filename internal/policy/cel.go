package policy

import (
	"fmt"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/interpreter"
)

// CEL limits. A hostile or careless expression is stopped by the runtime
// cost limit (checked during evaluation, including inside comprehensions),
// so it cannot hang a request; the parse limits bound Compile.
const (
	celMaxLength  = 4096
	celMaxNesting = 64
	celCostLimit  = 100_000
)

// celCompiler makes one CEL environment per Compile call, on first use.
type celCompiler struct {
	env *cel.Env
	err error
}

func (c *celCompiler) environment() (*cel.Env, error) {
	if c.env == nil && c.err == nil {
		c.env, c.err = cel.NewEnv(
			cel.Variable("user", cel.MapType(cel.StringType, cel.DynType)),
			cel.Variable("request", cel.MapType(cel.StringType, cel.DynType)),
			cel.CrossTypeNumericComparisons(true),
			cel.DefaultUTCTimeZone(true),
			cel.ParserExpressionSizeLimit(celMaxLength),
			cel.ParserRecursionLimit(celMaxNesting),
		)
	}
	return c.env, c.err
}

// celMatcher evaluates a checked boolean CEL program.
type celMatcher struct {
	prg       cel.Program
	usesUser  bool
	rule      string
	detail    string
	claims    []string // claims read by name through user.claims
	allClaims bool     // user.claims used in another way: any claim may matter
}

var _ matcher = (*celMatcher)(nil)

func (c *celCompiler) compile(expr string, at selectorSpec) (*celMatcher, []error) {
	path := at.path + ".cel"
	env, err := c.environment()
	if err != nil {
		return nil, []error{fmt.Errorf("%s: CEL environment: %w", path, err)}
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, []error{fmt.Errorf("%s: %s", path, oneLine(iss.Err().Error()))}
	}
	if out := ast.OutputType(); !out.IsExactType(cel.BoolType) {
		return nil, []error{fmt.Errorf("%s: must evaluate to bool, not %s (compare dynamic values explicitly, e.g. `== true`)", path, out)}
	}
	prg, err := env.Program(ast,
		cel.EvalOptions(cel.OptOptimize),
		cel.CostLimit(celCostLimit),
	)
	if err != nil {
		return nil, []error{fmt.Errorf("%s: %w", path, err)}
	}
	m := &celMatcher{prg: prg, rule: at.rule, detail: at.detail}
	m.claims, m.allClaims = celClaimRefs(ast.NativeRep())
	for _, r := range ast.NativeRep().ReferenceMap() {
		if r.Name == "user" {
			m.usesUser = true
		}
	}
	return m, nil
}

// oneLine folds CEL's multi-line diagnostics (with source excerpts) into
// one line, so that joined errors stay one problem per line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (m *celMatcher) match(in Input) (tri, *Reason) {
	out, _, err := m.prg.Eval(celVars{in: in})
	if err == nil {
		if b, ok := out.(types.Bool); ok {
			return boolTri(bool(b)), nil
		}
		err = fmt.Errorf("result is %s, not bool", out.Type())
	}
	// Fail closed: the caller treats unknown as "cannot tell", which never
	// lets an allow rule match and makes a deny rule deny.
	return unknown, &Reason{Code: ReasonCELError, Rule: m.rule, Detail: m.detail + ": " + err.Error()}
}

// celVars binds `user` and `request` lazily, only when the program reads
// them. Without an identity `user` is left unbound, so that an expression
// misjudged as identity-free errors (and fails closed) instead of matching.
type celVars struct{ in Input }

var _ interpreter.Activation = celVars{}

func (v celVars) ResolveName(name string) (any, bool) {
	switch name {
	case "user":
		id := v.in.Identity
		if id == nil {
			return nil, false
		}
		u := map[string]any{
			"email":          id.Email,
			"email_verified": id.EmailVerified,
			"sub":            id.Subject,
			"provider":       id.Provider,
			"name":           id.Name,
			"groups":         nonNil(id.Groups),
			"amr":            nonNil(id.AMR),
			"acr":            id.ACR,
			"claims":         id.Claims,
		}
		if id.Claims == nil {
			u["claims"] = map[string]any{}
		}
		// The risk level now: "low", "medium" or "high".
		u["risk"] = v.in.Risk.String()
		if !id.AuthTime.IsZero() {
			u["auth_time"] = id.AuthTime
		}
		// The identity verification, when there is one: policies can
		// require how it was done, e.g. `"hwk" in user.verification.amr`
		// (the selfie capture was signed by the device bound at the start)
		// or `"vcrypt" in user.verification.methods` (a chip was read).
		if vf := id.Verification; vf != nil {
			m := map[string]any{
				"provider": vf.Provider, "level": vf.Level, "trust_framework": vf.TrustFramework,
				"acr": vf.ACR, "amr": nonNil(vf.AMR), "methods": nonNil(vf.Methods),
			}
			if !vf.VerifiedAt.IsZero() {
				m["verified_at"] = vf.VerifiedAt
			}
			u["verification"] = m
		}
		return u, true
	case "request":
		r := map[string]any{"time": v.in.Now}
		if v.in.IP.IsValid() {
			r["ip"] = v.in.IP.Unmap().String()
		}
		return r, true
	}
	return nil, false
}

func (celVars) Parent() interpreter.Activation { return nil }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
