package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/emrtd"
	"github.com/vigil-gw/vigil/internal/evidence/trust"
)

const chipSynopsis = "vigil chip verify --sod EF_SOD.bin [--com EF_COM.bin] [--dg 1=DG1.bin --dg 2=DG2.bin ...] " +
	"[--trust FILE_OR_DIR ...] [--mrz-file PRINTED.txt] [--challenge HEX --aa-response FILE] [--at YYYY-MM-DD] [--output text|json]"

const chipHelp = `Verify the files read from an ICAO 9303 passport or ID card chip (passive
authentication, optionally active authentication and a printed-MRZ cross-check).

Passive authentication passes when EF.SOD parses, its signature verifies under the
Document Signer certificate it carries, that certificate chains to a trusted CSCA
and is valid at --at, every given data group's hash matches the SOD, and DG1 (the
chip's MRZ) is given and parses. Exit status: 0 when that passed and nothing else
failed (a printed MRZ that differs from DG1, a failed active authentication, an
unreadable DG2 all fail; a missing DG2 does not); 1 otherwise; 2 for usage errors
and unreadable or unrecognised files.

Trust (--trust, repeatable; files or directories, recognised by content):
  - CSCA certificates (DER or PEM) are trusted as given.
  - CSCA master lists (.ml) are verified first: give the publisher's own CSCA
    certificate as well (for example DE_ROOT_CA_CSCA07.cer beside the German list).
  - CRLs are applied to revoke Document Signers.
  Master lists: Germany's BSI publishes one (search bsi.bund.de for "CSCA
  Masterliste"; its signer's CSCA is the German CSCA), the Netherlands at
  https://www.npkd.nl/masterlist.html, and ICAO PKD participants' lists are at
  https://download.pkd.icao.int/. Master list signers must be valid at --at.
  Without --trust the chain check fails with csca-unknown.

Active authentication: --challenge is the 8-byte challenge (hex) sent in INTERNAL
AUTHENTICATE and --aa-response the file with the chip's answer; DG15 (and DG14 for
ECDSA keys) must be given with --dg.

Flags:
`

func cmdChip(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "Usage:", chipSynopsis)
		return usageError{errors.New("want: chip verify")}
	}
	fs := newFlags("chip verify", chipSynopsis, stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\n%s", chipSynopsis, chipHelp)
		fs.PrintDefaults()
	}
	sodPath := fs.String("sod", "", "EF.SOD file (required)")
	comPath := fs.String("com", "", "EF.COM file")
	var dgs dgFlag
	fs.Var(&dgs, "dg", "data group `N=FILE`, N from 1 to 16; repeat for each group")
	var trustPaths listFlag
	fs.Var(&trustPaths, "trust", "CSCA certificate, master list, CRL or a `directory` of them; repeatable")
	mrzPath := fs.String("mrz-file", "", "text file with the MRZ printed on the document (2 or 3 lines)")
	challengeHex := fs.String("challenge", "", "active authentication challenge, 8 bytes in `hex`")
	aaPath := fs.String("aa-response", "", "file with the chip's active authentication response")
	atFlag := fs.String("at", "", "verify as of this `date` (YYYY-MM-DD, UTC midnight) instead of now: the Document Signer and master list signers must be valid then")
	output := fs.String("output", "text", "output format: text or json")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	in, at, err := chipInput(fs.NArg(), *sodPath, *comPath, dgs, *mrzPath, *challengeHex, *aaPath, *atFlag, *output)
	if err != nil {
		return err
	}
	var tr emrtd.Trust
	if len(trustPaths) > 0 {
		store := trust.NewStore()
		sum, err := store.LoadFiles(trustPaths, at)
		if err != nil {
			// A partial load is discarded: verifying against less trust
			// than the operator asked for would hide the mistake.
			return usageError{fmt.Errorf("--trust:\n%w", err)}
		}
		if *output == "text" {
			fmt.Fprintf(stdout, "trust: %d CSCA certificates, %d master lists, %d CRLs, %d CSCAs in all\n",
				sum.CSCAs, sum.MasterLists, sum.CRLs, len(store.List()))
		}
		tr = store
	}
	rep := emrtd.Verify(in, tr, at)
	if *output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Accept bool `json:"accept"`
			*emrtd.Report
		}{rep.Accept(), rep}); err != nil {
			return err
		}
	} else {
		printChipReport(stdout, rep, tr != nil)
	}
	if !rep.Accept() {
		return errReported
	}
	return nil
}

// chipInput reads the files the flags name. Every problem is a usage error.
func chipInput(nargs int, sodPath, comPath string, dgs dgFlag, mrzPath, challengeHex, aaPath, atFlag, output string) (emrtd.Input, time.Time, error) {
	var in emrtd.Input
	fail := func(format string, a ...any) (emrtd.Input, time.Time, error) {
		return in, time.Time{}, usageError{fmt.Errorf(format, a...)}
	}
	switch {
	case nargs != 0:
		return fail("chip verify takes no arguments, only flags")
	case sodPath == "":
		return fail("--sod is required")
	case output != "text" && output != "json":
		return fail("--output must be text or json")
	case (challengeHex == "") != (aaPath == ""):
		return fail("--challenge and --aa-response go together")
	}
	at := time.Now()
	if atFlag != "" {
		d, err := time.Parse(time.DateOnly, atFlag)
		if err != nil {
			return fail("--at %q is not a YYYY-MM-DD date", atFlag)
		}
		at = d
	}
	var err error
	if in.SOD, err = readChipFile("--sod", sodPath); err != nil {
		return in, at, err
	}
	if comPath != "" {
		if in.COM, err = readChipFile("--com", comPath); err != nil {
			return in, at, err
		}
	}
	in.DataGroups = map[int][]byte{}
	for _, d := range dgs {
		if in.DataGroups[d.n], err = readChipFile(fmt.Sprintf("--dg %d", d.n), d.path); err != nil {
			return in, at, err
		}
	}
	if mrzPath != "" {
		b, err := readChipFile("--mrz-file", mrzPath)
		if err != nil {
			return in, at, err
		}
		if len(b) > 4096 || strings.TrimSpace(string(b)) == "" {
			return fail("--mrz-file %s: want the 2 or 3 MRZ lines", mrzPath)
		}
		in.PrintedMRZ = string(b)
	}
	if challengeHex != "" {
		if in.Challenge, err = hex.DecodeString(challengeHex); err != nil || len(in.Challenge) == 0 {
			return fail("--challenge is not hex")
		}
		if in.AAResponse, err = readChipFile("--aa-response", aaPath); err != nil {
			return in, at, err
		}
	}
	return in, at, nil
}

// maxInputFile bounds any one chip file; DG3 and DG2 are the largest.
const maxInputFile = 16 << 20

func readChipFile(flagName, path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", flagName, err)}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxInputFile+1))
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", flagName, err)}
	}
	if len(b) > maxInputFile {
		return nil, usageError{fmt.Errorf("%s: %s is larger than %d bytes", flagName, path, maxInputFile)}
	}
	return b, nil
}

// dgFlag collects --dg N=FILE.
type dgFlag []struct {
	n    int
	path string
}

func (d *dgFlag) String() string { return "" }

func (d *dgFlag) Set(v string) error {
	num, path, ok := strings.Cut(v, "=")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 || n > 16 || path == "" {
		return errors.New("want N=FILE with N from 1 to 16")
	}
	for _, e := range *d {
		if e.n == n {
			return fmt.Errorf("DG%d given twice", n)
		}
	}
	*d = append(*d, struct {
		n    int
		path string
	}{n, path})
	return nil
}

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// printChipReport writes one line per check, the document and certificate
// summaries, and a verdict line.
func printChipReport(w io.Writer, r *emrtd.Report, haveTrust bool) {
	width := 0
	for _, c := range r.Checks {
		width = max(width, len(c.Name))
	}
	for _, c := range r.Checks {
		mark, text := "ok  ", c.Detail
		switch {
		case c.Skipped:
			mark = "--  "
		case !c.OK && emrtd.IsAdvisory(c.Reason):
			mark = "note"
			text = c.Reason + ": " + c.Detail
		case !c.OK:
			mark = "FAIL"
			text = c.Reason
			if c.Detail != "" {
				text += ": " + c.Detail
			}
		}
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%s %-*s  %s", mark, width, c.Name, text), " "))
		if c.Name == emrtd.CheckChain && c.Reason == trust.ReasonCSCAUnknown {
			if haveTrust {
				fmt.Fprintln(w, "     hint: the Document Signer's CSCA is not among the --trust files; add its country's CSCA or a master list that holds it")
			} else {
				fmt.Fprintln(w, "     hint: pass --trust with CSCA certificates or master lists (see --help)")
			}
		}
	}
	if d := r.Document; d != nil {
		fmt.Fprintf(w, "document: %s %s issued by %s, number %s, %s, %s, nationality %s, born %s, sex %s, expires %s",
			d.Format, d.DocumentCode, d.IssuingState, d.DocumentNumber, d.Surname, strings.Join(d.GivenNames, " "),
			d.Nationality, d.BirthDate, d.Sex, d.ExpiryDate)
		if d.Expired {
			fmt.Fprint(w, " (expired)")
		}
		fmt.Fprintln(w)
	}
	for _, c := range []struct {
		label string
		cert  *emrtd.Certificate
	}{{"document signer", r.DocumentSigner}, {"csca", r.CSCA}} {
		if c.cert != nil {
			fmt.Fprintf(w, "%s: %s, serial 0x%s, %s, valid %s to %s\n", c.label, c.cert.Subject, c.cert.Serial, c.cert.KeyType,
				c.cert.NotBefore.UTC().Format(time.DateOnly), c.cert.NotAfter.UTC().Format(time.DateOnly))
		}
	}
	for i, f := range r.Faces {
		fmt.Fprintf(w, "face %d: %s %dx%d, %d bytes\n", i+1, f.MIMEType, f.Width, f.Height, f.Size)
	}
	pa := "FAILED"
	if r.PassiveAuth {
		pa = "passed"
	}
	verdict := "refused"
	if r.Accept() {
		verdict = "accepted"
	}
	fmt.Fprintf(w, "passive authentication %s, active authentication %s: %s", pa, r.ActiveAuth, verdict)
	if len(r.Reasons) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(r.Reasons, ", "))
	}
	fmt.Fprintln(w)
}
