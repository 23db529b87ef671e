package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"text/tabwriter"
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
	if len(args) == 0 {
		fmt.Fprint(stderr, riskUsage)
		return usageError{errors.New("want: risk show, reset or raise")}
	}
	sub := args[0]
	switch sub {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, riskUsage)
		return errHelp
	case "show", "reset", "raise":
	default:
		fmt.Fprint(stderr, riskUsage)
		return usageError{fmt.Errorf("unknown risk command %q", sub)}
	}
	var af adminFlags
	fs := newFlags("risk "+sub, "vigil risk "+sub+" USER [flags]", stderr)
	af.register(fs)
	reason := fs.String("reason", "", "why (required for reset and raise; audited)")
	severity := fs.Int("severity", 0, "raise: points added to the score, 1..100")
	ttl := fs.Duration("ttl", 24*time.Hour, "raise: how long the factor counts")
	// Flags may follow USER.
	rest := args[1:]
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
	c, err := af.client()
	if err != nil {
		return err
	}
	path := "/users/" + url.PathEscape(user) + "/risk"
	var out admin.RiskView
	switch sub {
	case "show":
		err = c.Call(ctx, "GET", path, nil, &out)
	case "reset":
		err = c.Call(ctx, "POST", path+"/reset", map[string]any{"reason": *reason}, &out)
	case "raise":
		err = c.Call(ctx, "POST", path+"/raise", map[string]any{"severity": *severity, "reason": *reason, "ttl": ttl.String()}, &out)
	}
	if err != nil {
		return err
	}
	if af.output == "json" {
		return printJSON(stdout, out)
	}
	stdout = terminalSafe(stdout) // factor reasons come from transmitters and detectors
	fmt.Fprintf(stdout, "user %s: risk %s (score %d)\n", out.User, out.Level, out.Score)
	return printFactors(stdout, out.Factors)
}

// printFactors prints risk factors as a table; nothing when there are none.
func printFactors(w io.Writer, factors []admin.FactorView) error {
	if len(factors) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "POINTS\tKIND\tSOURCE\tAT\tSTATE\tREASON")
	for _, f := range factors {
		state := "active until " + f.ExpiresAt.Local().Format(time.DateTime)
		switch {
		case f.ClearedAt != nil:
			state = "cleared by " + f.ClearedBy
		case f.Points == 0:
			state = "expired"
		}
		fmt.Fprintf(tw, "%d/%d\t%s\t%s\t%s\t%s\t%s\n", f.Points, f.Severity, f.Kind, f.Source, f.At.Local().Format(time.DateTime), state, f.Reason)
	}
	return tw.Flush()
}

func queryEscape(s string) string { return url.QueryEscape(s) }
