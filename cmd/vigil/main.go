// Command vigil is the identity-verified access gateway. It is the only
// code that reads os.Args and the environment or calls os.Exit.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `vigil: an identity-verified zero trust access gateway.

Usage:
  vigil quickstart [flags]          run a self-contained demo: gateway, demo IdP, demo app
  vigil serve --config FILE         run the gateway from a configuration file
  vigil verifier --config FILE      run only the built-in identity-verification provider (idv section)
  vigil config check FILE           validate a configuration file and compile its policies
  vigil config push|status|show ...
                                    share providers, verifiers, idv, risk and apps with every replica (admin API)
  vigil policy test --config FILE --app NAME --identity FILE [--ip ADDR]
                                    explain a configuration file's decision for an identity, offline
  vigil policy explain --app NAME [--user USER | --identity FILE] ...
                                    explain the running policy's decision: rule, reasons, step-up (admin API)
  vigil trust import|list --dir DIR ...
                                    manage passport chip trust anchors (CSCAs, master lists, CRLs)
  vigil chip verify --sod FILE [--dg N=FILE ...] [--trust PATH ...]
                                    verify a passport/ID card chip read offline (passive + active authentication)
  vigil aamva parse FILE            read and check a US/Canadian driver licence barcode (payload or image)
  vigil face compare IMAGE_A IMAGE_B
                                    compare the faces in two images (distance, threshold, decision)
  vigil sessions list|revoke ...    list sessions; revoke by session, user, app or identity provider (admin API)
  vigil risk show|reset|raise USER  read or change a user's risk, with reasons (admin API)
  vigil users list|show ...         list users; show one's identity, verification, risk, sessions (admin API)
  vigil review list|show|approve|reject ...
                                    decide the built-in verifier's waiting verifications (admin API)
  vigil audit search [flags]        search audit records by user, app, decision and time (admin API)
  vigil ssf streams                 Shared Signals subscribers, their streams and queued events (admin API)
  vigil version                     print the version

Run "vigil COMMAND --help" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a command and returns the exit status: 0 success, 1 a
// failure while running, 2 a usage or configuration error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "quickstart":
		err = cmdQuickstart(ctx, args[1:], stdout, stderr)
	case "serve":
		err = cmdServe(ctx, args[1:], stdout, stderr)
	case "verifier":
		err = cmdVerifier(ctx, args[1:], stdout, stderr)
	case "config":
		err = cmdConfig(ctx, args[1:], stdout, stderr)
	case "policy":
		err = cmdPolicy(ctx, args[1:], stdout, stderr)
	case "trust":
		err = cmdTrust(args[1:], stdout, stderr)
	case "chip":
		err = cmdChip(args[1:], stdout, stderr)
	case "aamva":
		err = cmdAAMVA(args[1:], stdout, stderr)
	case "face":
		err = cmdFace(args[1:], stdout, stderr)
	case "sessions":
		err = cmdSessions(ctx, args[1:], stdout, stderr)
	case "risk":
		err = cmdRisk(ctx, args[1:], stdout, stderr)
	case "users":
		err = cmdUsers(ctx, args[1:], stdout, stderr)
	case "review":
		err = cmdReview(ctx, args[1:], stdout, stderr)
	case "audit":
		err = cmdAudit(ctx, args[1:], stdout, stderr)
	case "ssf":
		err = cmdSSF(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "vigil", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "vigil: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errReported):
		return 1
	}
	// An error may carry the admin API's description and reasons: text
	// from the server, kept from moving the operator's cursor.
	fmt.Fprintln(terminalSafe(stderr), "vigil:", err)
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// usageError marks bad flags or configuration: exit status 2.
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

var errHelp = errors.New("help shown")

// errReported means the command already printed why it did not succeed (a
// verification that did not pass): exit status 1 and nothing more on stderr.
var errReported = errors.New("failure reported")
