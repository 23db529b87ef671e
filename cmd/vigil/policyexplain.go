package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/vigil-gw/vigil/internal/admin"
)

const policyUsage = `Usage:
  vigil policy test --config FILE --app NAME [--identity FILE] [--ip ADDR]
  vigil policy explain --app NAME [--user USER | --identity FILE] [--ip ADDR] [--risk LEVEL] [flags]

test evaluates an app's policy from a local configuration file, offline:
no server, no stored users, risk low.

explain asks the running gateway (POST /policy/test on the admin API) how
the app's policy as it runs now decides, and prints the decision, the rule,
every reason and the verification (step-up) that would turn a deny into an
allow. --user judges a stored user (ID or email) with the identity of their
newest session and their risk now; --identity judges an identity given in
full (the JSON of "policy test"), at low risk unless --risk says otherwise;
neither judges an anonymous request. Nothing is recorded.

Both exit 1 on a deny, for scripts.

Examples:
  vigil policy test --config vigil.yaml --app wiki --identity ada.json
  vigil policy explain --app wiki --user ada@example.com
  vigil policy explain --app wiki --user ada@example.com --risk high --ip 203.0.113.9
  vigil policy explain --app payroll --identity contractor.json --output json
`

func cmdPolicy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	test := func(_ context.Context, args []string, stdout, stderr io.Writer) error {
		return policyTest(args, stdout, stderr)
	}
	return commandGroup{name: "policy", usage: policyUsage, want: "policy test or policy explain",
		verbs: map[string]subcommand{"test": test, "explain": policyExplain}}.run(ctx, args, stdout, stderr)
}

func policyExplain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var af adminFlags
	fs := newFlags("policy explain", "vigil policy explain --app NAME [--user USER | --identity FILE] [--ip ADDR] [--risk LEVEL] [flags]", stderr)
	af.register(fs)
	app := fs.String("app", "", "app whose running policy decides (required)")
	user := fs.String("user", "", "a stored user, by ID or email, judged at their risk now")
	idPath := fs.String("identity", "", `JSON file with an identity, as for "policy test", e.g. {"sub":"u1","provider":"corp","groups":["eng"],"ip":"10.1.2.3"}`)
	ip := fs.String("ip", "", "client IP address (overrides the identity file's ip)")
	risk := fs.String("risk", "", "the risk level the policy sees: low, medium or high (default: the user's now; low for --identity)")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	t := admin.PolicyTest{App: *app, User: *user, Risk: *risk}
	switch {
	case *app == "":
		fs.Usage()
		return usageError{errors.New("--app is required")}
	case *user != "" && *idPath != "":
		fs.Usage()
		return usageError{errors.New("give --user or --identity, not both")}
	}
	switch *risk {
	case "", "low", "medium", "high":
	default:
		return usageError{fmt.Errorf("--risk: want low, medium or high, got %q", *risk)}
	}
	if *idPath != "" {
		b, err := os.ReadFile(*idPath)
		if err != nil {
			return usageError{err}
		}
		var idf identityFile
		if err := json.Unmarshal(b, &idf); err != nil {
			return usageError{fmt.Errorf("%s: %v", *idPath, err)}
		}
		t.Identity, t.IP = &idf.Identity, idf.IP
	}
	if *ip != "" {
		t.IP = *ip
	}
	if t.IP != "" {
		if _, err := netip.ParseAddr(t.IP); err != nil {
			return usageError{fmt.Errorf("ip %q is not an IP address", t.IP)}
		}
	}
	var d admin.PolicyDecision
	if err := af.call(ctx, "POST", "/policy/test", t, &d); err != nil {
		return err
	}
	err := af.show(stdout, d, func(w io.Writer) error {
		who := "an anonymous request"
		switch {
		case d.User != "":
			who = "user " + d.User
		case t.Identity != nil:
			who = "the identity in " + *idPath
		}
		printDecision(w, d, who)
		return nil
	})
	if err != nil {
		return err
	}
	if d.Decision == "deny" {
		return errDenied
	}
	return nil
}

// printDecision prints d; who names what was judged.
func printDecision(w io.Writer, d admin.PolicyDecision, who string) {
	fmt.Fprintf(w, "app %s, %s, risk %s:\n", d.App, who, d.Risk)
	// The explanation is the decision line (with its rule) and every
	// reason, as "policy test" prints them.
	fmt.Fprint(w, d.Explanation)
	if !strings.HasSuffix(d.Explanation, "\n") {
		fmt.Fprintln(w)
	}
	if s := d.StepUp; s != nil {
		line := "step-up: verifying would allow it"
		if s.Level != "" {
			line += ": level " + s.Level
		}
		if s.MaxAge != "" {
			line += ", within " + s.MaxAge
		}
		if len(s.ACR) > 0 {
			line += ", acr " + strings.Join(s.ACR, " or ")
		}
		fmt.Fprintln(w, line)
	}
	for _, h := range d.Hints {
		fmt.Fprintln(w, "hint:", h)
	}
}
