package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/trust"
)

const trustUsage = `Usage:
  vigil trust import --dir DIR FILE...   verify certificates, master lists and CRLs and add them to DIR
  vigil trust list --dir DIR [--country XX] [--output text|json]
                                         list the CSCAs DIR makes trusted

A trust directory holds the passport trust material the verifier loads:
  - CSCA certificates (DER or PEM) you trust directly, e.g. your own
    country's CSCA obtained out of band;
  - ICAO CSCA master lists (.ml), each trusted only if it verifies under a
    CSCA certificate you added directly;
  - CRLs published by CSCAs, applied if a trusted CSCA signed them.
Files are recognised by content. import checks each FILE against what DIR
already holds (certificates first, so a master list and its anchor can be
given together), then copies each accepted FILE into DIR.

Run "vigil trust import --help" or "vigil trust list --help" for flags.
`

// cmdTrust manages the passport trust directory.
func cmdTrust(args []string, stdout, stderr io.Writer) error {
	return runTrust(args, stdout, stderr, time.Now())
}

// runTrust is cmdTrust at a given time: master list signers and CRLs are
// checked against it, and tests of real lists must not expire with them.
func runTrust(args []string, stdout, stderr io.Writer, now time.Time) error {
	at := func(verb func([]string, io.Writer, io.Writer, time.Time) error) subcommand {
		return func(_ context.Context, args []string, stdout, stderr io.Writer) error {
			return verb(args, stdout, stderr, now)
		}
	}
	return commandGroup{name: "trust", usage: trustUsage, want: "trust import or trust list",
		verbs: map[string]subcommand{"import": at(trustImport), "list": at(trustList)},
	}.run(context.Background(), args, stdout, stderr)
}

// dirFlag is required rather than defaulted: adding trust anchors to a
// directory picked by the working directory is too easy a mistake.
const dirHelp = "trust directory (required), e.g. /etc/vigil/trust"

// loadDir loads a trust directory; a missing one is an empty store.
func loadDir(dir string, now time.Time) (*trust.Store, error) {
	s := trust.NewStore()
	if dir == "" {
		return nil, usageError{errors.New("--dir is required")}
	}
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, usageError{fmt.Errorf("%s is not a directory", dir)}
	}
	if _, err := s.LoadFiles([]string{dir}, now); err != nil {
		return nil, fmt.Errorf("trust directory %s does not load; fix or remove these files first:\n%w", dir, err)
	}
	return s, nil
}

func trustImport(args []string, stdout, stderr io.Writer, now time.Time) error {
	fs := newFlags("trust import", "vigil trust import --dir DIR FILE...", stderr)
	dir := fs.String("dir", "", dirHelp)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || fs.NArg() == 0 {
		fs.Usage()
		return usageError{errors.New("trust import needs --dir and at least one FILE")}
	}
	s, err := loadDir(*dir, now)
	if err != nil {
		return err
	}
	before := len(s.List())
	sum, loadErr := s.LoadFiles(fs.Args(), now)
	var copied []string
	for _, f := range sum.Files {
		name, fresh, err := copyIntoDir(*dir, f)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		status := "added"
		if !fresh {
			status = "already present"
		}
		fmt.Fprintf(stdout, "%s: %s as %s (%s)\n", f.Path, status, name, describe(f))
		copied = append(copied, name)
	}
	for _, skip := range sum.Skipped {
		fmt.Fprintf(stdout, "skipped %s\n", skip)
	}
	var failed []*trust.FileError
	for _, err := range unjoin(loadErr) {
		var fe *trust.FileError
		if errors.As(err, &fe) {
			failed = append(failed, fe)
		}
		fmt.Fprintf(stderr, "refused %v\n", err)
	}
	if len(copied) > 0 {
		// What is on disk must load on its own, as the verifier will load it.
		check, err := loadDir(*dir, now)
		if err != nil {
			return err
		}
		all := check.List()
		fmt.Fprintf(stdout, "%d new CSCAs; %s now trusts %s\n", len(all)-before, *dir, cscaCount(all))
	}
	if loadErr != nil {
		fmt.Fprintf(stderr, "vigil: %d of %d files refused; nothing was copied for them\n", len(failed), len(failed)+len(sum.Files))
		return errReported
	}
	return nil
}

func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func describe(f trust.LoadedFile) string {
	switch f.Kind {
	case trust.KindMasterList:
		return fmt.Sprintf("master list anchored by %s, %d new CSCAs", f.Country, f.Added)
	case trust.KindCRL:
		return "CRL of a " + f.Country + " CSCA"
	}
	return fmt.Sprintf("CSCA %s, %d new", f.Country, f.Added)
}

var kindExt = map[trust.Kind]string{trust.KindCSCA: "cer", trust.KindMasterList: "ml", trust.KindCRL: "crl"}

// copyIntoDir writes f into dir as <kind>-<country>-<sha256[:12]>.<ext>:
// the same content always gets the same name, so importing twice is a
// no-op. The write is atomic (temporary dot file, then rename), and dot
// files are what LoadFiles skips, so a crash leaves nothing it would read.
func copyIntoDir(dir string, f trust.LoadedFile) (name string, fresh bool, err error) {
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return "", false, err
	}
	sum := sha256.Sum256(b)
	if sum != f.SHA256 {
		return "", false, errors.New("file changed while it was being verified; nothing copied")
	}
	name = fmt.Sprintf("%s-%s-%s.%s", f.Kind, safeCountry(f.Country), hex.EncodeToString(sum[:6]), kindExt[f.Kind])
	target := filepath.Join(dir, name)
	if _, err := os.Stat(target); err == nil {
		return name, false, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", false, err
	}
	tmp, err := os.CreateTemp(dir, ".import-*")
	if err != nil {
		return "", false, err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return "", false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", false, err
	}
	if err := tmp.Close(); err != nil {
		return "", false, err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return "", false, err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return "", false, err
	}
	return name, true, nil
}

// safeCountry keeps file names to letters whatever a certificate says.
func safeCountry(c string) string {
	if len(c) < 2 || len(c) > 3 {
		return "XX"
	}
	for _, r := range c {
		if (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') {
			return "XX"
		}
	}
	return strings.ToUpper(c)
}

func cscaCount(all []trust.CSCA) string {
	countries := map[string]bool{}
	for _, c := range all {
		countries[c.Country] = true
	}
	return fmt.Sprintf("%s from %s", plural(len(all), "CSCA", "CSCAs"), plural(len(countries), "country", "countries"))
}

// listRow is the JSON form of one CSCA.
type listRow struct {
	Country       string     `json:"country"`
	Subject       string     `json:"subject"`
	NotBefore     time.Time  `json:"not_before"`
	NotAfter      time.Time  `json:"not_after"`
	KeyType       string     `json:"key_type"`
	Sources       []string   `json:"sources"`
	SHA256        string     `json:"sha256"`
	CRLThisUpdate *time.Time `json:"crl_this_update,omitempty"`
	Revoked       int        `json:"revoked_serials,omitempty"`
}

func trustList(args []string, stdout, stderr io.Writer, now time.Time) error {
	fs := newFlags("trust list", "vigil trust list --dir DIR [--country XX] [--output text|json]", stderr)
	dir := fs.String("dir", "", dirHelp)
	cc := fs.String("country", "", "only CSCAs of this country (subject C, e.g. DE)")
	output := fs.String("output", "text", "text or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || fs.NArg() != 0 || (*output != "text" && *output != "json") {
		fs.Usage()
		return usageError{errors.New("trust list needs --dir, no arguments, and --output text or json")}
	}
	if _, err := os.Stat(*dir); err != nil {
		return usageError{fmt.Errorf("trust directory: %w", err)}
	}
	s, err := loadDir(*dir, now)
	if err != nil {
		return err
	}
	var rows []trust.CSCA
	for _, c := range s.List() {
		if *cc == "" || strings.EqualFold(c.Country, *cc) {
			rows = append(rows, c)
		}
	}
	if *output == "json" {
		out := make([]listRow, 0, len(rows))
		for _, c := range rows {
			r := listRow{Country: c.Country, Subject: c.Subject, NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(),
				KeyType: c.KeyType, Sources: c.Sources, SHA256: c.SHA256, Revoked: c.Revoked}
			if !c.CRLThisUpdate.IsZero() {
				t := c.CRLThisUpdate.UTC()
				r.CRLThisUpdate = &t
			}
			out = append(out, r)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	t := newTable(stdout)
	t.row("COUNTRY", "SUBJECT", "NOT BEFORE", "NOT AFTER", "KEY", "SOURCE", "CRL")
	for _, c := range rows {
		crl := "-"
		if !c.CRLThisUpdate.IsZero() {
			crl = fmt.Sprintf("%s, %d revoked", c.CRLThisUpdate.UTC().Format(time.DateOnly), c.Revoked)
		}
		t.row(dash(c.Country), c.Subject,
			c.NotBefore.UTC().Format(time.DateOnly), c.NotAfter.UTC().Format(time.DateOnly),
			c.KeyType, strings.Join(c.Sources, ","), crl)
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, cscaCount(rows))
	return nil
}

// plural writes n with the singular or plural noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
