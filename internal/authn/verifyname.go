package authn

import (
	"errors"
	"strings"

	"github.com/vigil-gw/vigil/internal/ida"
	"github.com/vigil-gw/vigil/internal/personname"
)

// checkName refuses a verification whose verified person is not, by name,
// the account's holder, when the verifier requires it: otherwise an account
// holder could have someone else verify (a proxy interviewee) and be
// recorded as verified. verified is nil when the token carried no name.
// The names go to neither the log nor the page.
func (c *verifierConf) checkName(account string, verified *ida.Claims) error {
	if !c.requireName {
		return nil
	}
	switch {
	case strings.TrimSpace(account) == "":
		return fail(ReasonVerificationNameMismatch, errors.New("the account has no name to compare (the provider sent none)"))
	case verified == nil:
		return fail(ReasonVerificationNameMismatch, errors.New("the verifier sent no verified name"))
	}
	family := verified.FamilyName
	given := []string{verified.GivenName, verified.MiddleName}
	if strings.TrimSpace(family+verified.GivenName) == "" {
		family, given = verified.Name, nil
	}
	if strings.TrimSpace(family) == "" && strings.TrimSpace(strings.Join(given, "")) == "" {
		return fail(ReasonVerificationNameMismatch, errors.New("the verified claims carry no name"))
	}
	if !personname.Match(account, family, given) {
		return fail(ReasonVerificationNameMismatch, errors.New("the verified name is not the account's"))
	}
	return nil
}

// topLevelNames reads the name claims of a verifier's ID token without
// verified_claims: a verification provider's token describes the person it
// verified. Nil when it carries none.
func topLevelNames(claims map[string]any) *ida.Claims {
	var c ida.Claims
	c.Name, _ = claims["name"].(string)
	c.GivenName, _ = claims["given_name"].(string)
	c.FamilyName, _ = claims["family_name"].(string)
	c.MiddleName, _ = claims["middle_name"].(string)
	if c.Name == "" && c.GivenName == "" && c.FamilyName == "" {
		return nil
	}
	return &c
}
