package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/audit"
)

const auditUsage = `Usage:
  vigil audit search [--user USER] [--app NAME] [--decision D] [--since DURATION|TIME] [--limit N] [flags]

search prints the audit records of the replica it asks, newest first
(GET /audit): access decisions, sign-ins, revocations, risk changes,
configuration pushes. It reads log.audit when that is a file; a replica
writing records to stdout, or none, says so. Filters combine:

  --user      a user ID or email (a user no longer stored: their ID)
  --app       an app's name
  --decision  the exact decision: allow, deny, revoke, raise:medium, ...
  --since     records from then on: a duration back from now (24h) or an
              RFC 3339 time (2026-11-28T09:00:00Z)
  --limit     at most this many (the server's default 100, at most 1000)

Examples:
  vigil audit search --user ada@example.com --since 24h
  vigil audit search --app payroll --decision deny --limit 20
  vigil audit search --since 2026-11-28T09:00:00Z --output json

Common flags: --server URL, --config FILE, --token-file FILE, --output table|json
(the server and token also come from $VIGIL_SERVER and $VIGIL_ADMIN_TOKEN).
`

func cmdAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return commandGroup{name: "audit", usage: auditUsage, want: "audit search",
		verbs: map[string]subcommand{"search": auditSearch}}.run(ctx, args, stdout, stderr)
}

func auditSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var af adminFlags
	fs := newFlags("audit search", "vigil audit search [--user USER] [--app NAME] [--decision D] [--since DURATION|TIME] [--limit N] [flags]", stderr)
	af.register(fs)
	user := fs.String("user", "", "only this user's records (ID or email)")
	app := fs.String("app", "", "only this app's records")
	decision := fs.String("decision", "", "only this exact decision (allow, deny, revoke, raise:medium, ...)")
	since := fs.String("since", "", "only records from then on: a duration back from now (24h) or an RFC 3339 time")
	limit := limitFlag(fs, "records")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	q := url.Values{}
	for k, v := range map[string]string{"user": *user, "app": *app, "decision": *decision, "since": *since} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if *since != "" && !validSince(*since) {
		return usageError{fmt.Errorf("--since: want a duration such as 24h or an RFC 3339 time, got %q", *since)}
	}
	if err := addLimit(q, *limit); err != nil {
		return err
	}
	var out struct {
		Records   []json.RawMessage `json:"records"`
		Truncated bool              `json:"truncated"`
	}
	if err := af.call(ctx, "GET", withQuery("/audit", q), nil, &out); err != nil {
		return err
	}
	return af.show(stdout, out, func(w io.Writer) error {
		t := newTable(w)
		t.row("TIME", "KIND", "DECISION", "USER", "APP", "RULE", "ACTOR", "REASONS")
		for _, raw := range out.Records {
			var r audit.Record
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("an audit record the CLI cannot read: %w", err)
			}
			who := r.User
			if r.Email != "" {
				who = r.Email
			}
			t.row(when(r.Time), r.Kind, dash(r.Decision), dash(who), dash(r.App),
				dash(r.Rule), dash(r.Actor), dash(strings.Join(r.Reasons, "; ")))
		}
		if err := t.flush(); err != nil {
			return err
		}
		if out.Truncated {
			fmt.Fprintln(w, "(the search stopped before the log's beginning: narrow it with --since or other filters)")
		}
		return nil
	})
}

// validSince is what the API takes for since, checked here so a typo is a
// usage error before any call.
func validSince(s string) bool {
	_, err := admin.ParseSince(s, time.Now())
	return err == nil
}
