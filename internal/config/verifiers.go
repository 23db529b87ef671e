package config

import (
	"fmt"
	"sort"
	"time"
)

// Values of Verifier.LoginHint.
const (
	LoginHintEmail     = "email"
	LoginHintAssertion = "assertion"
)

// ialLevels are the assurance levels acr_levels may map to (NIST SP 800-63A).
var ialLevels = map[string]bool{"ial1": true, "ial2": true, "ial3": true}

// validateVerifiers checks the verifiers list and returns the known names.
func (c *Config) validateVerifiers(p *problems) map[string]bool {
	names := map[string]bool{}
	for i, v := range c.Verifiers {
		path := fmt.Sprintf("verifiers[%d]", i)
		if !nameRE.MatchString(v.Name) {
			p.add(path+".name", "want lower-case letters, digits and dashes, got %q", v.Name)
		} else if names[v.Name] {
			p.add(path+".name", "%q is defined twice", v.Name)
		}
		names[v.Name] = true
		if err := checkIssuer(v.Issuer); err != nil {
			p.add(path+".issuer", "%v", err)
		}
		if v.ClientID == "" {
			p.add(path+".client_id", "required")
		}
		if !v.ClientSecret.IsZero() {
			if _, err := v.ClientSecret.Resolve(); err != nil {
				p.add(path+".client_secret", "%v", err)
			}
		}
		for j, alg := range v.SigningAlgs {
			if !allowAlg[alg] {
				p.add(fmt.Sprintf("%s.signing_algs[%d]", path, j), "%q is not allowed; use asymmetric algorithms (RS256, ES256, PS256, EdDSA, ...)", alg)
			}
		}
		switch v.LoginHint {
		case LoginHintEmail, LoginHintAssertion:
		default:
			p.add(path+".login_hint", "want email or assertion, got %q", v.LoginHint)
		}
		if v.ClockSkew.D() < 0 || v.ClockSkew.D() > 5*time.Minute {
			p.add(path+".clock_skew", "must be between 0 and 5m")
		}
		seen := map[string]bool{}
		for j, a := range v.ACRValues {
			switch {
			case a == "" || len(a) > 256:
				p.add(fmt.Sprintf("%s.acr_values[%d]", path, j), "want a non-empty acr value of at most 256 characters")
			case containsSpace(a):
				p.add(fmt.Sprintf("%s.acr_values[%d]", path, j), "%q contains a space; acr_values are space-separated on the wire", a)
			case seen[a]:
				p.add(fmt.Sprintf("%s.acr_values[%d]", path, j), "%q is listed twice", a)
			}
			seen[a] = true
		}
		// Sorted so that problems come out in the same order every time.
		acrs := make([]string, 0, len(v.ACRLevels))
		for a := range v.ACRLevels {
			acrs = append(acrs, a)
		}
		sort.Strings(acrs)
		for _, a := range acrs {
			if a == "" {
				p.add(path+".acr_levels", "empty acr value")
			}
			if !ialLevels[v.ACRLevels[a]] {
				p.add(fmt.Sprintf("%s.acr_levels[%q]", path, a), "want ial1, ial2 or ial3, got %q", v.ACRLevels[a])
			}
		}
	}
	return names
}

// validateAppVerifiers checks each app's verifier, and that an app whose
// policy needs a verified identity names one: without it the user could
// never satisfy the policy.
func (c *Config) validateAppVerifiers(p *problems, verifiers map[string]bool) {
	for i, a := range c.Apps {
		path := fmt.Sprintf("apps[%d]", i)
		if a.Verifier != "" && !verifiers[a.Verifier] {
			p.add(path+".verifier", "unknown verifier %q", a.Verifier)
		}
		if a.Verifier != "" {
			continue
		}
		for j, r := range a.Policies {
			lists := []struct {
				name string
				sel  []Selector
			}{{"include", r.Include}, {"require", r.Require}, {"exclude", r.Exclude}}
			for _, l := range lists {
				for k, s := range l.sel {
					if s.Verified != "" || s.VerifiedWithin != 0 {
						p.add(fmt.Sprintf("%s.policies[%d].%s[%d]", path, j, l.name, k),
							"needs a verified identity but the app has no verifier: set apps[%d].verifier", i)
					}
				}
			}
		}
	}
}

func containsSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' {
			return true
		}
	}
	return false
}
