package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
)

const riskUsage = `Usage:
  vigil risk show USER [flags]
  vigil risk reset USER --reason TEXT [flags]
  vigil risk raise USER --severity 1..100 --reason TEXT [--ttl 24h] [flags]

USER is a user ID (provider:hash, as in "vigil sessions list") or an email.
show prints the score, level and every factor with its reason; reset clears
every active factor; raise adds an administrator's factor (the reason is shown
to the user). Every change is audited.

Common flags: --server URL, --config FILE, --token-file FILE, --output table|json
`

func cmdRisk(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return commandGroup{name: "risk", usage: riskUsage, want: "risk show, reset or raise",
		verbs: map[string]subcommand{"show": riskVerb("show"), "reset": riskVerb("reset"), "raise": riskVerb("raise")},
	}.run(ctx, args, stdout, stderr)
}

// riskVerb is show, reset or raise: each names one USER and prints the
// user's risk after.
func riskVerb(sub string) subcommand {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		var af adminFlags
		fs := newFlags("risk "+sub, "vigil risk "+sub+" USER [flags]", stderr)
		af.register(fs)
		reason := fs.String("reason", "", "why (required for reset and raise; audited)")
		severity := fs.Int("severity", 0, "raise: points added to the score, 1..100")
		ttl := fs.Duration("ttl", 24*time.Hour, "raise: how long the factor counts")
		// Flags may follow USER.
		rest := args
		var user string
		if len(rest) > 0 && len(rest[0]) > 0 && rest[0][0] != '-' {
			user, rest = rest[0], rest[1:]
		}
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		if user == "" && fs.NArg() == 1 {
			user = fs.Arg(0)
		} else if fs.NArg() != 0 || user == "" {
			fs.Usage()
			return usageError{errors.New("name one USER")}
		}
		path := "/users/" + url.PathEscape(user) + "/risk"
		var out admin.RiskView
		var err error
		switch sub {
		case "show":
			err = af.call(ctx, "GET", path, nil, &out)
		case "reset":
			err = af.call(ctx, "POST", path+"/reset", map[string]any{"reason": *reason}, &out)
		case "raise":
			err = af.call(ctx, "POST", path+"/raise", map[string]any{"severity": *severity, "reason": *reason, "ttl": ttl.String()}, &out)
		}
		if err != nil {
			return err
		}
		// Factor reasons come from transmitters and detectors.
		return af.show(stdout, out, func(w io.Writer) error {
			fmt.Fprintf(w, "user %s: risk %s (score %d)\n", out.User, out.Level, out.Score)
			return printFactors(w, out.Factors)
		})
	}
}

// printFactors prints risk factors as a table; nothing when there are none.
func printFactors(w io.Writer, factors []admin.FactorView) error {
	if len(factors) == 0 {
		return nil
	}
	t := newTable(w)
	t.row("POINTS", "KIND", "SOURCE", "AT", "STATE", "REASON")
	for _, f := range factors {
		state := "active until " + f.ExpiresAt.Local().Format(time.DateTime)
		switch {
		case f.ClearedAt != nil:
			state = "cleared by " + f.ClearedBy
		case f.Points == 0:
			state = "expired"
		}
		t.row(fmt.Sprintf("%d/%d", f.Points, f.Severity), f.Kind, f.Source, f.At.Local().Format(time.DateTime), state, f.Reason)
	}
	return t.flush()
}
