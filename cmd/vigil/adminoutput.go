package main

import (
	"context"
	"io"
)

// call asks the admin API, at the server and with the token the flags
// name, and decodes its answer into out.
func (a *adminFlags) call(ctx context.Context, method, path string, body, out any) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	return c.Call(ctx, method, path, body, out)
}

// show prints an admin API answer v: as JSON with --output json, else as
// table writes it, through terminalSafe, since names, emails and reasons in
// it come from identity providers, transmitters and users.
func (a *adminFlags) show(stdout io.Writer, v any, table func(w io.Writer) error) error {
	if a.output == "json" {
		return printJSON(stdout, v)
	}
	return table(terminalSafe(stdout))
}
