package config

import "strings"

func (c *Config) validateAdmin(p *problems) {
	checkToken(p, "admin.token", c.Admin.Token, false, "")
	g, eg := c.Admin.Console.Group, c.Admin.Console.EvidenceGroup
	if checkGroup(p, "admin.console.group", g) && g != "" && len(c.Providers) == 0 {
		p.add("admin.console.group", "the console signs administrators in through the gateway's own OIDC sign-in: configure at least one provider")
	}
	if checkGroup(p, "admin.console.evidence_group", eg) && eg != "" && g == "" {
		p.add("admin.console.evidence_group", "shows evidence images in the console: set admin.console.group too (images are shown to members of both)")
	}
}

// checkGroup reports whether g is empty or a group as a provider's claim
// mapping gives it, adding the problem when it is not.
func checkGroup(p *problems, path, g string) bool {
	if g == "" || strings.TrimSpace(g) == g && len(g) <= 256 && !strings.ContainsFunc(g, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return true
	}
	p.add(path, "want a group name as the providers' claim mapping gives it (no surrounding spaces or control characters, at most 256 bytes), got %q", g)
	return false
}

// Admin configures the admin API (/.vigil/admin/api), the CLI's access to
// it, and the web console (/.vigil/console/).
type Admin struct {
	// Token authorizes admin API calls (bearer). None: the API is off.
	Token Secret `yaml:"token"`
	// Console is the administrators' web console (docs/console.md).
	Console Console `yaml:"console"`
}

// Console configures the web console at /.vigil/console/ on server.public_url.
// It signs administrators in through the gateway's own providers and acts
// in-process: it needs no admin.token. Changing it needs a restart.
type Console struct {
	// Group turns the console on: a signed-in user whose groups (as the
	// provider's claim mapping gives them) include it may use the console,
	// and may revoke sessions and reset risk. Compared exactly. Empty: the
	// console is off.
	Group string `yaml:"group"`
	// EvidenceGroup lets members of both it and the console group see the evidence
	// images (document photos, selfies) on the console's review page, each
	// view audited; other console admins see the evidence as text only.
	// Compared exactly; needs group. Empty: no admin sees images in the
	// console.
	EvidenceGroup string `yaml:"evidence_group"`
}
