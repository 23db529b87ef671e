package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
)

const usersUsage = `Usage:
  vigil users list [--query TEXT] [--limit N] [flags]
  vigil users show USER [flags]

list prints the users who have signed in, with or without sessions now,
most recently seen first, with their verification level, risk and session
count (GET /users). --query keeps those whose ID, email or name contains
TEXT (ASCII case ignored); a user named exactly by ID or email comes first.
--limit caps the list (the server's default 100, at most 1000).

show prints one user (GET /users/{USER}): identity, groups of the latest
sign-in, the latest verification (level, provider, when, and the kinds of
evidence checked, never numbers or images), risk with every factor, and
sessions. USER is a user ID (provider:hash) or an email.

Examples:
  vigil users list --query example.com
  vigil users show ada@example.com
  vigil users show corp:afWdQe0Ycqi33DWeiKR_IKJ4bpOueCBIJ40q1JPEUbI --output json

Common flags: --server URL, --config FILE, --token-file FILE, --output table|json
(the server and token also come from $VIGIL_SERVER and $VIGIL_ADMIN_TOKEN).
`

func cmdUsers(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return commandGroup{name: "users", usage: usersUsage, want: "users list or users show USER",
		verbs: map[string]subcommand{"list": usersList, "show": usersShow}}.run(ctx, args, stdout, stderr)
}

// limitFlag registers --limit; 0 leaves the server's default.
func limitFlag(fs *flag.FlagSet, what string) *int {
	return fs.Int("limit", 0, "at most this many "+what+" (default: the server's)")
}

// addLimit puts a --limit into q, refusing a negative one here.
func addLimit(q url.Values, limit int) error {
	switch {
	case limit < 0:
		return usageError{fmt.Errorf("--limit must be positive, got %d", limit)}
	case limit > 0:
		q.Set("limit", strconv.Itoa(limit))
	}
	return nil
}

// withQuery appends q to path when it holds anything.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// noArgs parses flags and refuses positional arguments.
func noArgs(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	return nil
}

// oneArg parses flags around exactly one positional argument, named what.
func oneArg(fs *flag.FlagSet, args []string, what string) (string, error) {
	arg, err := parseOneArg(fs, args)
	if err != nil {
		return "", err
	}
	if arg == "" {
		fs.Usage()
		return "", usageError{fmt.Errorf("name one %s", what)}
	}
	return arg, nil
}

func usersList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var af adminFlags
	fs := newFlags("users list", "vigil users list [--query TEXT] [--limit N] [flags]", stderr)
	af.register(fs)
	query := fs.String("query", "", "only users whose ID, email or name contains TEXT")
	limit := limitFlag(fs, "users")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	q := url.Values{}
	if *query != "" {
		q.Set("query", *query)
	}
	if err := addLimit(q, *limit); err != nil {
		return err
	}
	var out struct {
		Users []admin.UserSummary `json:"users"`
	}
	if err := af.call(ctx, "GET", withQuery("/users", q), nil, &out); err != nil {
		return err
	}
	return af.show(stdout, out, func(w io.Writer) error {
		t := newTable(w)
		t.row("USER", "EMAIL", "NAME", "VERIFIED", "RISK", "SESSIONS", "LAST SEEN")
		for _, u := range out.Users {
			t.row(u.ID, dash(u.Email), dash(u.Name), dash(u.Level), u.Risk, fmt.Sprint(u.Sessions), when(u.LastSeenAt))
		}
		return t.flush()
	})
}

func usersShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var af adminFlags
	fs := newFlags("users show", "vigil users show USER [flags]", stderr)
	af.register(fs)
	user, err := oneArg(fs, args, "USER")
	if err != nil {
		return err
	}
	var u admin.UserView
	if err := af.call(ctx, "GET", "/users/"+url.PathEscape(user), nil, &u); err != nil {
		return err
	}
	return af.show(stdout, u, func(w io.Writer) error { return printUser(w, u) })
}

// printUser prints one user as usersShow's table, then their risk factors.
func printUser(w io.Writer, u admin.UserView) error {
	t := newTable(w)
	t.row("user:", u.ID)
	t.row("provider:", u.Provider+" (subject "+u.Subject+")")
	t.row("email:", dash(u.Email))
	t.row("name:", dash(u.Name))
	t.row("groups:", dash(strings.Join(u.Groups, ", ")))
	if v := u.Verification; v != nil {
		line := fmt.Sprintf("level %s by %s at %s", dash(v.Level), v.Provider, when(v.VerifiedAt))
		if v.TrustFramework != "" {
			line += ", trust framework " + v.TrustFramework
		}
		if len(v.Methods) > 0 {
			line += ", methods " + strings.Join(v.Methods, ", ")
		}
		if v.DocumentCountry != "" {
			line += ", document from " + v.DocumentCountry
		}
		t.row("verification:", line)
		for i, e := range v.Evidence {
			label := ""
			if i == 0 {
				label = "evidence:"
			}
			t.row(label, e)
		}
	} else {
		t.row("verification:", "none")
	}
	t.row("risk:", fmt.Sprintf("%s (score %d)", u.Risk.Level, u.Risk.Score))
	t.row("sessions:", fmt.Sprint(u.Sessions))
	t.row("first seen:", when(u.FirstSeenAt))
	t.row("last seen:", when(u.LastSeenAt))
	if err := t.flush(); err != nil {
		return err
	}
	if len(u.Risk.Factors) > 0 {
		fmt.Fprintln(w)
	}
	return printFactors(w, u.Risk.Factors)
}

// when is a time in local time, "-" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.DateTime)
}
