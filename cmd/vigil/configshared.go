package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
)

const configUsage = `Usage:
  vigil config check FILE
  vigil config push FILE [--allow-restart] [flags]
  vigil config status [flags]
  vigil config show [VERSION] [flags]

check validates a configuration file and compiles its policies, offline.

push stores FILE as the configuration shared by every replica that has
store.shared_config: its providers, verifiers, idv, risk and apps. Sections
each replica keeps from its own file (server, session, store, assertion, log,
admin, ssf) are ignored and listed. The replica that receives FILE checks it
merged with its own sections, as it would run it; on any problem nothing is
stored and every problem is listed. Otherwise every replica applies it as
it reads the store's change feed, within about a second.

  --allow-restart  also store a version that changes what is built at start
                   (risk detectors, GeoIP, networks, idv): running replicas
                   keep their configuration and report it; each takes the
                   version when restarted.

status shows where the replica's configuration comes from (its file, or a
shared version), the latest stored version, and the last version the
replica could not apply, with why.

show prints a stored version's document (the latest by default), to edit
and push again, or to push an older one back.

Common flags: --server URL, --config FILE, --token-file FILE, --output table|json
(the server and token also come from $VIGIL_SERVER and $VIGIL_ADMIN_TOKEN).
See docs/shared-config.md.
`

func cmdConfig(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return commandGroup{name: "config", usage: configUsage,
		want: "config check FILE, config push FILE, config status or config show",
		verbs: map[string]subcommand{
			"check": func(_ context.Context, args []string, stdout, stderr io.Writer) error {
				return configCheck(args, stdout, stderr)
			},
			"push": configPush, "status": configStatus, "show": configShow,
		}}.run(ctx, args, stdout, stderr)
}

// parseOneArg parses flags around at most one positional argument.
func parseOneArg(fs *flag.FlagSet, args []string) (string, error) {
	var arg string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		arg, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return "", err
	}
	switch {
	case arg == "" && fs.NArg() == 1:
		arg = fs.Arg(0)
	case fs.NArg() != 0:
		fs.Usage()
		return "", usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	return arg, nil
}

func configPush(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var af adminFlags
	fs := newFlags("config push", "vigil config push FILE [--allow-restart] [flags]", stderr)
	af.register(fs)
	allow := fs.Bool("allow-restart", false, "store a version changing parts built at start; replicas take it when restarted")
	file, err := parseOneArg(fs, args)
	if err != nil {
		return err
	}
	if file == "" {
		fs.Usage()
		return usageError{errors.New("name the FILE to push")}
	}
	// The replica reads the document; this machine needs none of its
	// secrets. Only the size is checked here.
	f, err := os.Open(file)
	if err != nil {
		return usageError{err}
	}
	doc, err := io.ReadAll(io.LimitReader(f, 1<<20+1))
	f.Close()
	if err != nil {
		return usageError{fmt.Errorf("%s: %w", file, err)}
	}
	if len(doc) > 1<<20 {
		return usageError{fmt.Errorf("%s is larger than 1 MiB", file)}
	}
	c, err := af.client()
	if err != nil {
		return err
	}
	path := "/config"
	if *allow {
		path += "?allow_restart=true"
	}
	var out admin.ConfigPushed
	if err := c.Send(ctx, "PUT", path, "application/yaml", doc, &out); err != nil {
		return err
	}
	return af.show(stdout, out, func(w io.Writer) error {
		fmt.Fprintf(w, "version %d stored (sha256 %s)\n", out.Version, out.SHA256)
		if len(out.Ignored) > 0 {
			fmt.Fprintf(w, "ignored, each replica keeps its own: %s\n", strings.Join(out.Ignored, ", "))
		}
		if out.Applied {
			fmt.Fprintln(w, "applied on this replica; the others apply it from the change feed")
			return nil
		}
		fmt.Fprintln(w, "not applied on this replica (it keeps its running configuration):")
		for _, p := range out.Problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
		return nil
	})
}

func configStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var af adminFlags
	fs := newFlags("config status", "vigil config status [flags]", stderr)
	af.register(fs)
	if arg, err := parseOneArg(fs, args); err != nil {
		return err
	} else if arg != "" {
		fs.Usage()
		return usageError{errors.New("config status takes no arguments")}
	}
	var st admin.ConfigStatus
	if err := af.call(ctx, "GET", "/config", nil, &st); err != nil {
		return err
	}
	return af.show(stdout, st, func(w io.Writer) error {
		when := func(t time.Time) string { return t.Local().Format(time.DateTime) }
		switch {
		case st.Running.Source == "shared":
			fmt.Fprintf(w, "running:      shared version %d (sha256 %s) since %s\n", st.Running.Version, st.Running.SHA256, when(st.Running.Since))
		case st.SharedConfig:
			fmt.Fprintf(w, "running:      its file (no shared version applied yet) since %s\n", when(st.Running.Since))
		default:
			fmt.Fprintf(w, "running:      its file (store.shared_config is off) since %s\n", when(st.Running.Since))
		}
		switch {
		case st.Latest != nil:
			fmt.Fprintf(w, "latest:       version %d (sha256 %s) pushed by %s at %s\n", st.Latest.Version, st.Latest.SHA256, st.Latest.Actor, when(st.Latest.CreatedAt))
		case st.LatestError != "":
			fmt.Fprintf(w, "latest:       unknown: %s\n", st.LatestError)
		default:
			fmt.Fprintln(w, "latest:       none stored")
		}
		if f := st.LastFailure; f != nil {
			fmt.Fprintf(w, "not applied:  version %d at %s:\n", f.Version, when(f.At))
			for _, p := range f.Problems {
				fmt.Fprintf(w, "  %s\n", p)
			}
		}
		return nil
	})
}

func configShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var af adminFlags
	fs := newFlags("config show", "vigil config show [VERSION] [flags]", stderr)
	af.register(fs)
	arg, err := parseOneArg(fs, args)
	if err != nil {
		return err
	}
	c, err := af.client()
	if err != nil {
		return err
	}
	var v int64
	if arg != "" {
		if v, err = strconv.ParseInt(arg, 10, 64); err != nil || v < 1 {
			return usageError{fmt.Errorf("VERSION is a positive number, got %q", arg)}
		}
	} else {
		var st admin.ConfigStatus
		if err := c.Call(ctx, "GET", "/config", nil, &st); err != nil {
			return err
		}
		if st.Latest == nil {
			return errors.New("no shared configuration is stored")
		}
		v = st.Latest.Version
	}
	var out admin.ConfigVersion
	if err := c.Call(ctx, "GET", "/config/versions/"+strconv.FormatInt(v, 10), nil, &out); err != nil {
		return err
	}
	if af.output == "json" {
		return printJSON(stdout, out)
	}
	// The header is the server's text; the document is written as stored,
	// YAML, which has no control characters but tab and line breaks.
	fmt.Fprintf(terminalSafe(stdout), "# version %d, sha256 %s, pushed by %s at %s\n", out.Version, out.SHA256, out.Actor,
		out.CreatedAt.Local().Format(time.DateTime))
	_, err = io.WriteString(stdout, out.Document)
	return err
}
