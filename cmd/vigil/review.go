package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/vigil-gw/vigil/internal/admin"
)

const reviewUsage = `Usage:
  vigil review list [--limit N] [flags]
  vigil review show ID [flags]
  vigil review approve ID [--note TEXT] [flags]
  vigil review reject ID --reason TEXT [flags]
  vigil review evidence ID [EID --out FILE|- [--force]] [flags]

The built-in verifier's review queue: verifications its automated checks
could not decide alone (a borderline face match, for one).
Only a replica that runs the built-in verifier (idv) has one; elsewhere the
API answers that there is none.

list prints the verifications waiting, oldest first (GET /reviews).
show prints one as text: steps, checks passed and failed, the face match,
the document (without its number) and the evidence kept (GET /reviews/{ID});
the images are in the review UI, for a reviewer signed in through the gateway.
approve (POST /reviews/{ID}/approve) and reject (POST /reviews/{ID}/reject)
decide one waiting for review; the reviewer is recorded as admin:$USER.
A reject needs --reason: the person is told it. An approval's --note is
optional and kept with the decision.
evidence lists a verification's evidence IDs, or with EID saves that image
(GET /reviews/{ID}/evidence/{EID}, audited) to a new file made 0600; --out -
writes it to stdout, never to a terminal.

Examples:
  vigil review list
  vigil review show vr-3f2a
  vigil review approve vr-3f2a --note "portrait matches, glasses in selfie"
  vigil review reject vr-3f2a --reason "the document photo is of a screen"

Common flags: --server URL, --config FILE, --token-file FILE, --output table|json
(the server and token also come from $VIGIL_SERVER and $VIGIL_ADMIN_TOKEN).
`

func cmdReview(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return commandGroup{name: "review", usage: reviewUsage, want: "review list, show, approve, reject or evidence",
		verbs: map[string]subcommand{"list": reviewList, "show": reviewOne("show"), "approve": reviewOne("approve"),
			"reject": reviewOne("reject"), "evidence": reviewEvidence},
	}.run(ctx, args, stdout, stderr)
}

func reviewList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var af adminFlags
	fs := newFlags("review list", "vigil review list [--limit N] [flags]", stderr)
	af.register(fs)
	limit := limitFlag(fs, "verifications")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	q := url.Values{}
	if err := addLimit(q, *limit); err != nil {
		return err
	}
	var out struct {
		Reviews []admin.ReviewSummary `json:"reviews"`
	}
	if err := af.call(ctx, "GET", withQuery("/reviews", q), nil, &out); err != nil {
		return err
	}
	return af.show(stdout, out, func(w io.Writer) error {
		t := newTable(w)
		t.row("ID", "STATUS", "RUNG", "CLAIMED EMAIL", "CREATED", "EXPIRES", "WHY")
		for _, r := range out.Reviews {
			t.row(r.ID, r.Status, r.Rung, dash(r.ClaimedEmail),
				when(r.CreatedAt), when(r.ExpiresAt), dash(strings.Join(r.Reasons, ", ")))
		}
		return t.flush()
	})
}

// reviewOne is show, approve and reject: each names one verification.
func reviewOne(sub string) subcommand {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		var af adminFlags
		synopsis := map[string]string{
			"show":    "vigil review show ID [flags]",
			"approve": "vigil review approve ID [--note TEXT] [flags]",
			"reject":  "vigil review reject ID --reason TEXT [flags]",
		}[sub]
		fs := newFlags("review "+sub, synopsis, stderr)
		af.register(fs)
		var note, reason *string
		switch sub {
		case "approve":
			note = fs.String("note", "", "why it is approved: one line, kept with the decision")
		case "reject":
			reason = fs.String("reason", "", "why it is rejected (required): one line, the person is told")
		}
		id, err := oneArg(fs, args, "verification ID")
		if err != nil {
			return err
		}
		// Refused here, before any call: nothing changes on a mistake.
		if reason != nil && strings.TrimSpace(*reason) == "" {
			fs.Usage()
			return usageError{errors.New("review reject needs --reason TEXT: the person is told why")}
		}
		path := "/reviews/" + url.PathEscape(id)
		var out admin.ReviewView
		switch sub {
		case "show":
			err = af.call(ctx, "GET", path, nil, &out)
		case "approve":
			var body any
			if *note != "" {
				body = map[string]string{"reason": *note}
			}
			err = af.call(ctx, "POST", path+"/approve", body, &out)
		case "reject":
			err = af.call(ctx, "POST", path+"/reject", map[string]string{"reason": *reason}, &out)
		}
		if err != nil {
			return err
		}
		return af.show(stdout, out, func(w io.Writer) error {
			if sub != "show" {
				fmt.Fprintf(w, "verification %s %s\n\n", out.ID, out.Status)
			}
			return printReview(w, out)
		})
	}
}

func printReview(w io.Writer, r admin.ReviewView) error {
	t := newTable(w)
	t.row("verification:", r.ID)
	t.row("status:", r.Status)
	t.row("rung:", r.Rung)
	t.row("claimed email:", dash(r.ClaimedEmail))
	t.row("created:", when(r.CreatedAt))
	t.row("expires:", when(r.ExpiresAt))
	t.row("why review:", dash(strings.Join(r.Reasons, ", ")))
	t.row("steps:", dash(strings.Join(r.Steps, ", ")))
	if f := r.Face; f != nil {
		t.row("face match:", fmt.Sprintf("%s: distance %.2f, threshold %.2f (against %s)", dash(f.Decision), f.Distance, f.Threshold, dash(f.Reference)))
	}
	if d := r.Document; d != nil {
		line := fmt.Sprintf("%s from %s, expires %s", d.Type, d.IssuingState, d.Expiry)
		if d.Expired {
			line += " (expired)"
		}
		switch {
		case !d.NameCompared:
			line += ", name not compared"
		case d.NameMatches:
			line += ", name matches"
		default:
			line += ", name differs"
		}
		if d.Corrected {
			line += ", machine-readable zone corrected"
		}
		if d.ChipRead {
			line += ", chip read"
			if d.ActiveAuth != "" {
				line += " (active authentication " + d.ActiveAuth + ")"
			}
		}
		t.row("document:", line)
	}
	if dec := r.Decision; dec != nil {
		line := "by " + dec.Reviewer + " at " + when(dec.At)
		if dec.Note != "" {
			line += ": " + dec.Note
		}
		t.row("decided:", line)
	}
	if err := t.flush(); err != nil {
		return err
	}
	for _, c := range []struct {
		title, mark string
		checks      []string
	}{{"checks passed:", "+", r.Passed}, {"checks failed:", "-", r.Failed}} {
		if len(c.checks) == 0 {
			continue
		}
		fmt.Fprintln(w, c.title)
		for _, s := range c.checks {
			fmt.Fprintf(w, "  %s %s\n", c.mark, s)
		}
	}
	if len(r.Evidence) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	t = newTable(w)
	t.row("EVIDENCE", "TYPE", "BYTES", "STORED", "DELETED AFTER")
	for _, e := range r.Evidence {
		t.row(e.Kind, e.ContentType, fmt.Sprint(e.Size), when(e.CreatedAt), when(e.DeleteAfter))
	}
	return t.flush()
}
