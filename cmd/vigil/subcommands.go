package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// subcommand is one verb of a command group (users list, audit search).
type subcommand func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// commandGroup is a command made of verbs: vigil NAME VERB [flags].
type commandGroup struct {
	name  string
	usage string
	want  string // what to give, for the error when no verb is
	verbs map[string]subcommand
}

// run runs the verb args[0] names. help prints the usage to stdout; no
// verb, or an unknown one, prints it to stderr and is a usage error.
func (g commandGroup) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, g.usage)
		return usageError{errors.New("want: " + g.want)}
	}
	if verb, ok := g.verbs[args[0]]; ok {
		return verb(ctx, args[1:], stdout, stderr)
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, g.usage)
		return errHelp
	}
	fmt.Fprint(stderr, g.usage)
	return usageError{fmt.Errorf("unknown %s command %q", g.name, args[0])}
}
