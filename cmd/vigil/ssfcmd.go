package main

import (
	"context"
	"fmt"
	"io"

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
		t := newTable(w)
		t.row("SUBSCRIBER", "AUDIENCE", "STREAM", "DELIVERY", "ENDPOINT", "STATUS", "QUEUED", "SUBJECTS", "UPDATED")
		for _, s := range out.Subscribers {
			if len(s.Streams) == 0 {
				t.row(s.Name, s.Audience, "no stream", "-", "-", "-", "-", "-", "-")
			}
			for _, st := range s.Streams {
				status := st.Status
				if st.Reason != "" {
					status += " (" + st.Reason + ")"
				}
				t.row(s.Name, st.Audience, st.ID, st.Delivery, dash(st.Endpoint),
					status, fmt.Sprint(st.Queued), fmt.Sprint(st.Subjects), when(st.UpdatedAt))
			}
		}
		return t.flush()
	})
}
