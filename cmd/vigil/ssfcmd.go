package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/vigil-gw/vigil/internal/admin"
)

const ssfUsage = `Usage:
  vigil ssf streams [flags]

streams prints every Shared Signals subscriber configured (ssf.subscribers)
and the streams each created (GET /ssf/streams): delivery (push or poll)
and endpoint, status and why, events queued for delivery, subjects, and
when it last changed. A subscriber that has not created a stream yet shows
"no stream".

Examples:
  vigil ssf streams
  vigil ssf streams --output json

Common flags: --server URL, --config FILE, --token-file FILE, --output table|json
(the server and token also come from $VIGIL_SERVER and $VIGIL_ADMIN_TOKEN).
`

func cmdSSF(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return commandGroup{name: "ssf", usage: ssfUsage, want: "ssf streams",
		verbs: map[string]subcommand{"streams": ssfStreams}}.run(ctx, args, stdout, stderr)
}

func ssfStreams(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var af adminFlags
	fs := newFlags("ssf streams", "vigil ssf streams [flags]", stderr)
	af.register(fs)
	if err := noArgs(fs, args); err != nil {
		return err
	}
	var out struct {
		Subscribers []admin.SubscriberView `json:"subscribers"`
	}
	if err := af.call(ctx, "GET", "/ssf/streams", nil, &out); err != nil {
		return err
	}
	return af.show(stdout, out, func(w io.Writer) error {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SUBSCRIBER\tAUDIENCE\tSTREAM\tDELIVERY\tENDPOINT\tSTATUS\tQUEUED\tSUBJECTS\tUPDATED")
		for _, s := range out.Subscribers {
			if len(s.Streams) == 0 {
				fmt.Fprintf(tw, "%s\t%s\tno stream\t-\t-\t-\t-\t-\t-\n", s.Name, s.Audience)
			}
			for _, st := range s.Streams {
				status := st.Status
				if st.Reason != "" {
					status += " (" + st.Reason + ")"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", s.Name, st.Audience, st.ID, st.Delivery, dash(st.Endpoint),
					status, st.Queued, st.Subjects, when(st.UpdatedAt))
			}
		}
		return tw.Flush()
	})
}
