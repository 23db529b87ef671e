package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/vigil-gw/vigil/internal/admin"
)

const reviewEvidenceSynopsis = "vigil review evidence ID [EID --out FILE|- [--force]] [flags]"

// maxEvidenceImage bounds a download: the verifier accepts images of at
// most 10 MiB.
const maxEvidenceImage = 16 << 20

// reviewEvidence lists a verification's evidence with its IDs, or saves
// one image (GET /reviews/{ID}/evidence/{EID}; the server audits it).
// Image bytes never go to a terminal, and a saved file is the operator's
// alone (0600): it shows a person's face or identity document.
func reviewEvidence(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var af adminFlags
	fs := newFlags("review evidence", reviewEvidenceSynopsis, stderr)
	af.register(fs)
	out := fs.String("out", "", "write the image to this new file (created 0600), or - for stdout when it is not a terminal")
	force := fs.Bool("force", false, "replace the --out file if it exists")
	// Flags may come before, between and after the IDs.
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	switch {
	case len(pos) == 0 || len(pos) > 2:
		fs.Usage()
		return usageError{errors.New("name one verification ID, and an evidence ID to save")}
	case len(pos) == 1 && *out != "":
		fs.Usage()
		return usageError{errors.New("--out needs an evidence ID (EID); without one the evidence is listed")}
	case len(pos) == 2 && *out == "":
		fs.Usage()
		return usageError{errors.New("name where to write the image: --out FILE, or --out - for stdout when it is not a terminal")}
	case *out == "-" && writesToTerminal(stdout):
		return usageError{errors.New("--out -: stdout is a terminal; the image is not written to it (redirect it, or pass --out FILE)")}
	}
	// Refused before the call, which the server audits as a view.
	if *out != "" && *out != "-" && !*force {
		if _, err := os.Lstat(*out); err == nil {
			return usageError{fmt.Errorf("--out %s exists; pass --force to replace it", *out)}
		}
	}
	path := "/reviews/" + url.PathEscape(pos[0])
	if len(pos) == 1 {
		return listEvidence(ctx, &af, path, stdout)
	}
	// The image is bytes, not JSON: fetched and written as they are.
	c, err := af.client()
	if err != nil {
		return err
	}
	ct, data, err := c.Fetch(ctx, path+"/evidence/"+url.PathEscape(pos[1]), "image/jpeg, image/png, application/json", maxEvidenceImage)
	if err != nil {
		return err
	}
	if ct != "image/jpeg" && ct != "image/png" {
		return fmt.Errorf("the server answered %q, not a JPEG or PNG image; nothing written", ct)
	}
	if *out == "-" {
		_, err := stdout.Write(data)
		return err
	}
	if err := writePrivate(*out, data, *force); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s (%s, %d bytes)\n", *out, ct, len(data))
	return nil
}

// listEvidence prints the evidence IDs a download names.
func listEvidence(ctx context.Context, af *adminFlags, path string, stdout io.Writer) error {
	var v admin.ReviewView
	if err := af.call(ctx, "GET", path, nil, &v); err != nil {
		return err
	}
	return af.show(stdout, map[string]any{"evidence": v.Evidence}, func(w io.Writer) error {
		t := newTable(w)
		t.row("EID", "KIND", "TYPE", "BYTES", "DELETED AFTER")
		for _, e := range v.Evidence {
			t.row(e.ID, e.Kind, e.ContentType, fmt.Sprint(e.Size), when(e.DeleteAfter))
		}
		return t.flush()
	})
}

// writesToTerminal reports whether w is a character device: a terminal,
// or (refused too, harmlessly) /dev/null.
func writesToTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// writePrivate writes data to a new file readable by its owner only. With
// replace, it goes to a temporary file beside name first, renamed over
// name, so the old file's wider mode is not kept and a failure leaves it.
func writePrivate(name string, data []byte, replace bool) error {
	var f *os.File
	var err error
	if replace {
		f, err = os.CreateTemp(filepath.Dir(name), ".vigil-evidence-*") // 0600
	} else {
		f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && replace {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}
