package config

import (
	"strings"
	"testing"
)

func TestAdminConsole(t *testing.T) {
	t.Setenv("TEST_VIGIL_CLIENT_SECRET", "x")
	c, err := Parse([]byte(goodYAML + "admin:\n  console: {group: vigil-admins}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Admin.Console.Group != "vigil-admins" || !c.Admin.Token.IsZero() {
		t.Errorf("admin: %+v (the console needs no token)", c.Admin)
	}
	for name, group := range map[string]string{"spaces": `" admins"`, "control": `"adm\tins"`, "long": strings.Repeat("g", 257)} {
		_, err := Parse([]byte(goodYAML + "admin:\n  console: {group: " + group + "}\n"))
		if err == nil || !strings.Contains(err.Error(), "admin.console.group:") {
			t.Errorf("%s: want an admin.console.group problem, got %v", name, err)
		}
	}
	c2, err := Parse([]byte(goodYAML + "admin:\n  console: {group: vigil-admins, evidence_group: reviewers}\n"))
	if err != nil || c2.Admin.Console.EvidenceGroup != "reviewers" {
		t.Fatalf("evidence_group: %v %+v", err, c2)
	}
	for name, console := range map[string]string{
		"spaces":     `{group: a, evidence_group: "rev "}`,
		"control":    `{group: a, evidence_group: "r\nev"}`,
		"long":       `{group: a, evidence_group: ` + strings.Repeat("g", 257) + `}`,
		"no console": `{evidence_group: reviewers}`,
	} {
		_, err := Parse([]byte(goodYAML + "admin:\n  console: " + console + "\n"))
		if err == nil || !strings.Contains(err.Error(), "admin.console.evidence_group:") {
			t.Errorf("evidence_group %s: want an admin.console.evidence_group problem, got %v", name, err)
		}
	}
	// Without a provider no one can sign in to it.
	c.Providers = nil
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "admin.console.group: the console signs administrators in") {
		t.Errorf("no providers: got %v", err)
	}
}
