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

const sessionsUsage = `Usage:
  vigil sessions list [--user ID|EMAIL] [flags]
  vigil sessions revoke (--session ID | --user ID|EMAIL | --app NAME | --provider NAME) [--reason TEXT] [flags]

Revocation takes effect on the next request on every replica. --app makes
every session from before now sign in again for that app; --provider ends
every session made through that identity provider.

Common flags: --server URL, --config FILE, --token-file FILE, --output table|json
(the server and token also come from $VIGIL_SERVER and $VIGIL_ADMIN_TOKEN).
`

func cmdSessions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return commandGroup{name: "sessions", usage: sessionsUsage, want: "sessions list or sessions revoke",
		verbs: map[string]subcommand{"list": sessionsList, "revoke": sessionsRevoke}}.run(ctx, args, stdout, stderr)
}

func sessionsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var af adminFlags
	fs := newFlags("sessions list", "vigil sessions list [--user ID|EMAIL] [flags]", stderr)
	af.register(fs)
	user := fs.String("user", "", "only this user's sessions (user ID or email)")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	q := url.Values{}
	if *user != "" {
		q.Set("user", *user)
	}
	var out struct {
		Sessions []admin.SessionView `json:"sessions"`
	}
	if err := af.call(ctx, "GET", withQuery("/sessions", q), nil, &out); err != nil {
		return err
	}
	return af.show(stdout, out, func(w io.Writer) error {
		t := newTable(w)
		t.row("SESSION", "USER", "EMAIL", "PROVIDER", "IP", "LAST SEEN", "EXPIRES")
		for _, s := range out.Sessions {
			t.row(s.ID, s.User, s.Email, s.Provider, s.IP,
				s.LastSeenAt.Local().Format(time.DateTime), s.ExpiresAt.Local().Format(time.DateTime))
		}
		return t.flush()
	})
}

func sessionsRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var af adminFlags
	fs := newFlags("sessions revoke", "vigil sessions revoke (--session ID | --user ID|EMAIL | --app NAME | --provider NAME) [--reason TEXT] [flags]", stderr)
	af.register(fs)
	sess := fs.String("session", "", "end this session")
	user := fs.String("user", "", "end every session of this user (ID or email)")
	app := fs.String("app", "", "make every current session sign in again for this app")
	prov := fs.String("provider", "", "end every session made through this identity provider")
	reason := fs.String("reason", "", "why: shown to the users whose sessions end (not with --app), kept in the audit log")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var rv admin.Revocation
	n := 0
	for _, o := range []struct{ scope, v string }{{admin.ScopeSession, *sess}, {admin.ScopeUser, *user}, {admin.ScopeApp, *app}, {admin.ScopeProvider, *prov}} {
		if o.v != "" {
			rv = admin.Revocation{Scope: o.scope, Key: o.v, Reason: *reason}
			n++
		}
	}
	if n != 1 {
		fs.Usage()
		return usageError{errors.New("give exactly one of --session, --user, --app or --provider")}
	}
	var out struct {
		Scope   string `json:"scope"`
		Key     string `json:"key"`
		Revoked int    `json:"revoked"`
	}
	if err := af.call(ctx, "POST", "/sessions/revoke", rv, &out); err != nil {
		return err
	}
	return af.show(stdout, out, func(w io.Writer) error {
		switch out.Scope {
		case admin.ScopeApp:
			fmt.Fprintf(w, "app %s: every session from before now must sign in again\n", out.Key)
		default:
			fmt.Fprintf(w, "%s %s: %d session(s) ended\n", out.Scope, out.Key, out.Revoked)
		}
		return nil
	})
}
