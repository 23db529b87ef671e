package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/aamva"
	"github.com/vigil-gw/vigil/internal/evidence/barcode"
)

const aamvaSynopsis = "vigil aamva parse FILE [--output text|json] [--at YYYY-MM-DD] [--printed-* ...]\n\n" +
	"FILE is the decoded barcode text (it starts with @) or a PNG or JPEG image of the barcode, decoded\n" +
	"with ZXingReader (Debian zxing-cpp-tools); - reads standard input. Exit status 0 only when every\n" +
	"check passes. Passing checks show a consistent document, not a genuine one: the barcode is not signed."

// cmdAAMVA implements "vigil aamva parse".
func cmdAAMVA(args []string, stdout, stderr io.Writer) error {
	return aamvaParse(args, os.Stdin, stdout, stderr)
}

// aamvaCheck is one line of the report. Reasons are stable codes; Details, the same length, say
// what exactly is wrong (they may quote the document: this is the operator's own terminal).
type aamvaCheck struct {
	Name    string   `json:"name"`
	OK      bool     `json:"ok"`
	Reasons []string `json:"reasons,omitempty"`
	Details []string `json:"details,omitempty"`
}

type aamvaReport struct {
	Source     string            `json:"source"` // "payload" or "image"
	DecodeMS   int64             `json:"decode_ms,omitempty"`
	At         string            `json:"at"`
	OK         bool              `json:"ok"`
	Evidence   string            `json:"evidence"`
	Header     *aamvaHeader      `json:"header,omitempty"`
	Document   *aamvaDocument    `json:"document,omitempty"`
	Holder     *aamvaHolder      `json:"holder,omitempty"`
	Truncation map[string]string `json:"truncation,omitempty"`
	Extra      []aamvaElement    `json:"other_elements,omitempty"`
	Subfiles   []aamvaSubfile    `json:"jurisdiction_subfiles,omitempty"`
	Checks     []aamvaCheck      `json:"checks"`
	license    *aamva.License    // nil until parsed
}

type aamvaElement struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

type aamvaSubfile struct {
	Type     string         `json:"type"`
	Elements []aamvaElement `json:"elements"`
}

func elements(es []aamva.Element) []aamvaElement {
	out := make([]aamvaElement, len(es))
	for i, e := range es {
		out[i] = aamvaElement(e)
	}
	return out
}

type aamvaHeader struct {
	FileType            string `json:"file_type"`
	IIN                 string `json:"iin"`
	Jurisdiction        string `json:"jurisdiction,omitempty"`
	JurisdictionCode    string `json:"jurisdiction_code,omitempty"`
	Version             int    `json:"aamva_version"`
	JurisdictionVersion int    `json:"jurisdiction_version"`
	Subfiles            int    `json:"subfiles"`
}

type aamvaDocument struct {
	Type          string `json:"type"`
	Number        string `json:"document_number,omitempty"`
	IssuedOn      string `json:"date_of_issuance,omitempty"`
	ExpiresOn     string `json:"date_of_expiry,omitempty"`
	IssuerCountry string `json:"issuer_country,omitempty"`
	RealID        string `json:"real_id,omitempty"`
	Discriminator string `json:"discriminator,omitempty"`
}

type aamvaHolder struct {
	FamilyName string `json:"family_name,omitempty"`
	FirstName  string `json:"first_name,omitempty"`
	MiddleName string `json:"middle_name,omitempty"`
	BirthDate  string `json:"birthdate,omitempty"`
	Sex        string `json:"sex,omitempty"`
	Street     string `json:"street,omitempty"`
	Street2    string `json:"street2,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
}

func aamvaParse(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "parse" {
		fmt.Fprintf(stderr, "Usage: %s\n", aamvaSynopsis)
		return usageError{errors.New("want: aamva parse FILE")}
	}
	fs := newFlags("aamva parse", aamvaSynopsis, stderr)
	output := fs.String("output", "text", "report format: text or json")
	at := fs.String("at", "", "check as of this date, YYYY-MM-DD (default: today, UTC)")
	pFamily := fs.String("printed-family-name", "", "family name printed on the card, to cross-check")
	pGiven := fs.String("printed-given-names", "", "given names printed on the card, to cross-check")
	pNumber := fs.String("printed-number", "", "document number printed on the card, to cross-check")
	pBirth := fs.String("printed-birth", "", "date of birth printed on the card, YYYY-MM-DD")
	pExpiry := fs.String("printed-expiry", "", "expiry date printed on the card, YYYY-MM-DD")
	pIssue := fs.String("printed-issue", "", "issue date printed on the card, YYYY-MM-DD")
	// Flags may come before or after FILE: parse, take one positional argument, parse the rest.
	var files []string
	rest := args[1:]
	for {
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files, rest = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if len(files) != 1 {
		fs.Usage()
		return usageError{errors.New("aamva parse takes one FILE")}
	}
	if *output != "text" && *output != "json" {
		return usageError{fmt.Errorf("--output %q: want text or json", *output)}
	}
	now := time.Now().UTC()
	if *at != "" {
		t, err := time.Parse(time.DateOnly, *at)
		if err != nil {
			return usageError{fmt.Errorf("--at %q: want YYYY-MM-DD", *at)}
		}
		now = t
	}
	printed := aamva.Printed{FamilyName: *pFamily, GivenNames: *pGiven, DocumentNumber: *pNumber}
	for _, d := range []struct {
		flag, val string
		dst       *aamva.Date
	}{{"printed-birth", *pBirth, &printed.DateOfBirth}, {"printed-expiry", *pExpiry, &printed.DateOfExpiry},
		{"printed-issue", *pIssue, &printed.DateOfIssue}} {
		if d.val == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.val)
		if err != nil {
			return usageError{fmt.Errorf("--%s %q: want YYYY-MM-DD", d.flag, d.val)}
		}
		*d.dst = aamva.DateOf(t)
	}
	in, err := readInput(files[0], stdin)
	if err != nil {
		return err
	}
	rep, err := checkAAMVA(in, now, printed)
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	if *output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printAAMVA(stdout, rep)
	}
	if !rep.OK {
		return errReported
	}
	return nil
}

// readInput reads FILE or standard input, a little beyond the largest accepted image so that
// anything larger is refused rather than cut.
func readInput(name string, stdin io.Reader) ([]byte, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, usageError{err}
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, barcode.MaxImageBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

// checkAAMVA decodes (for an image), parses and checks. The error is for input that is neither a
// payload nor an image; everything else is a failed check in the report.
func checkAAMVA(in []byte, now time.Time, printed aamva.Printed) (*aamvaReport, error) {
	rep := &aamvaReport{At: aamva.DateOf(now).String(),
		Evidence: "physical document barcode, unsigned: consistency only, never cryptographic (check_method " +
			aamva.CheckMethod + " for remote images, " + aamva.CheckMethodInPerson + " in person)"}
	payload := in
	switch {
	case bytes.HasPrefix(in, []byte("@")):
		rep.Source = "payload"
	case bytes.HasPrefix(in, []byte("\x89PNG")) || bytes.HasPrefix(in, []byte{0xff, 0xd8, 0xff}):
		rep.Source = "image"
		start := time.Now()
		p, err := barcode.DecodePDF417(context.Background(), in)
		rep.DecodeMS = time.Since(start).Milliseconds()
		if err != nil {
			reason := "barcode-decode"
			var be *barcode.Error
			if errors.As(err, &be) {
				reason = be.Reason
			}
			rep.add("decode", []string{reason}, []string{err.Error()})
			return rep.finish(), nil
		}
		rep.add("decode", nil, nil)
		payload = p
	default:
		return nil, errors.New("neither barcode text (starting with @) nor a PNG or JPEG image")
	}
	l, err := aamva.Parse(payload)
	if err != nil {
		rep.addErrors("parse", err)
		return rep.finish(), nil
	}
	rep.add("parse", nil, nil)
	rep.describe(l)
	rep.addErrors("consistency", l.Check(now))
	switch {
	case l.ExpiryDate.IsZero():
		rep.add("expiry", []string{"expiry-missing"}, []string{"no expiry date (DBA)"})
	case l.Expired(now):
		rep.add("expiry", []string{"expired"}, []string{"expired on " + l.ExpiryDate.String()})
	default:
		rep.add("expiry", nil, nil)
	}
	if printed != (aamva.Printed{}) {
		reasons := aamva.CrossCheck(l, printed)
		details := make([]string, len(reasons))
		for i, r := range reasons {
			field := strings.ReplaceAll(strings.TrimPrefix(r, "printed-mismatch:"), "_", " ")
			details[i] = "the printed " + field + " does not match the barcode"
		}
		rep.add("printed", reasons, details)
	}
	return rep.finish(), nil
}

func (r *aamvaReport) add(name string, reasons, details []string) {
	r.Checks = append(r.Checks, aamvaCheck{Name: name, OK: len(reasons) == 0, Reasons: reasons, Details: details})
}

// addErrors records the *aamva.Error values inside err (one, or several joined by Check).
func (r *aamvaReport) addErrors(name string, err error) {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else if err != nil {
		errs = []error{err}
	}
	var reasons, details []string
	for _, e := range errs {
		reasons, details = append(reasons, aamvaReason(e)), append(details, e.Error())
	}
	r.add(name, reasons, details)
}

// aamvaReason is a stable code for an aamva error: its kind, then where.
func aamvaReason(err error) string {
	kinds := []struct {
		kind error
		code string
	}{{aamva.ErrTooLarge, "too-large"}, {aamva.ErrHeader, "header"}, {aamva.ErrDirectory, "directory"},
		{aamva.ErrSubfile, "subfile"}, {aamva.ErrElement, "element"}, {aamva.ErrDateFormat, "date-format"},
		{aamva.ErrDate, "date"}, {aamva.ErrMissing, "missing"}, {aamva.ErrInconsistent, "inconsistent"},
		{aamva.ErrInvalid, "invalid"}}
	code := "aamva"
	for _, k := range kinds {
		if errors.Is(err, k.kind) {
			code = "aamva-" + k.code
			break
		}
	}
	var e *aamva.Error
	if errors.As(err, &e) {
		for _, part := range []string{e.Subfile, e.Element} {
			if part != "" {
				code += ":" + part
			}
		}
	}
	return code
}

func (r *aamvaReport) finish() *aamvaReport {
	r.OK = len(r.Checks) > 0
	for _, c := range r.Checks {
		r.OK = r.OK && c.OK
	}
	return r
}

func (r *aamvaReport) describe(l *aamva.License) {
	d := l.DocumentDetails()
	r.license = l
	r.Header = &aamvaHeader{FileType: l.FileType, IIN: l.IIN, Jurisdiction: d.IssuerJurisdiction, JurisdictionCode: d.IssuerCode,
		Version: l.Version, JurisdictionVersion: l.JurisdictionVersion, Subfiles: 1 + len(l.Jurisdiction)}
	r.Document = &aamvaDocument{Type: d.Type, Number: l.Number, IssuedOn: dateText(l.IssueDate), ExpiresOn: dateText(l.ExpiryDate),
		IssuerCountry: d.IssuerCountry, RealID: string(l.RealID), Discriminator: l.Discriminator}
	r.Holder = &aamvaHolder{FamilyName: l.FamilyName, FirstName: l.FirstName, MiddleName: l.MiddleName,
		BirthDate: dateText(l.BirthDate), Sex: sexText(l.Sex), Street: l.Street, Street2: l.Street2, City: l.City,
		State: l.State, PostalCode: l.PostalCode, Country: l.Country}
	r.Truncation = map[string]string{}
	for name, t := range map[string]aamva.Truncation{"family_name": l.FamilyTrunc, "first_name": l.FirstTrunc, "middle_name": l.MiddleTrunc} {
		if t != "" {
			r.Truncation[name] = string(t)
		}
	}
	for _, s := range l.Jurisdiction {
		r.Subfiles = append(r.Subfiles, aamvaSubfile{Type: s.Type, Elements: elements(s.Elements)})
	}
	if len(l.Extra) > 0 {
		r.Extra = elements(l.Extra)
	}
}

func dateText(d aamva.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func sexText(s aamva.Sex) string {
	switch s {
	case aamva.SexMale:
		return "male"
	case aamva.SexFemale:
		return "female"
	case aamva.SexUnspecified:
		return "not specified"
	}
	return ""
}

func printAAMVA(w io.Writer, r *aamvaReport) {
	src := "barcode text"
	if r.Source == "image" {
		src = fmt.Sprintf("image, decoded by ZXingReader in %d ms", r.DecodeMS)
	}
	fmt.Fprintf(w, "source:      %s\nchecked at:  %s\n", src, r.At)
	if h := r.Header; h != nil {
		issuer := "not in Vigil's IIN table"
		if h.Jurisdiction != "" {
			issuer = h.Jurisdiction + ", " + h.JurisdictionCode
		}
		fmt.Fprintf(w, "header:      %s, IIN %s (%s), AAMVA version %02d, jurisdiction version %02d, %d subfiles\n",
			h.FileType, h.IIN, issuer, h.Version, h.JurisdictionVersion, h.Subfiles)
		d, p := r.Document, r.Holder
		fmt.Fprintf(w, "document:    %s %s, issued %s, expires %s, issuer country %s\n", d.Type, or(d.Number),
			or(d.IssuedOn), or(d.ExpiresOn), or(d.IssuerCountry))
		if d.RealID != "" || d.Discriminator != "" {
			fmt.Fprintf(w, "             REAL ID %s, discriminator %s\n", or(d.RealID), or(d.Discriminator))
		}
		fmt.Fprintf(w, "holder:      %s, %s; born %s; sex %s\n", or(p.FamilyName),
			or(strings.TrimSpace(p.FirstName+" "+p.MiddleName)), or(p.BirthDate), or(p.Sex))
		fmt.Fprintf(w, "truncated:   family %s, first %s, middle %s\n", or(r.Truncation["family_name"]),
			or(r.Truncation["first_name"]), or(r.Truncation["middle_name"]))
		addr := strings.Join(nonEmpty(p.Street, p.Street2, p.City, strings.TrimSpace(p.State+" "+p.PostalCode), p.Country), ", ")
		fmt.Fprintf(w, "address:     %s\n", or(addr))
		if len(r.Extra) > 0 {
			fmt.Fprintf(w, "other %s:    %s\n", r.license.Type, elementsText(r.Extra))
		}
		for _, s := range r.Subfiles {
			fmt.Fprintf(w, "subfile %s:  %s\n", s.Type, elementsText(s.Elements))
		}
	}
	fmt.Fprintln(w, "checks:")
	failed := 0
	for _, c := range r.Checks {
		if c.OK {
			fmt.Fprintf(w, "  ok    %s\n", c.Name)
			continue
		}
		failed++
		for i, reason := range c.Reasons {
			fmt.Fprintf(w, "  FAIL  %s: %s: %s\n", c.Name, reason, c.Details[i])
		}
	}
	if r.OK {
		fmt.Fprintf(w, "result:      ok (%d checks passed)\n", len(r.Checks))
	} else {
		fmt.Fprintf(w, "result:      FAIL (%d of %d checks failed)\n", failed, len(r.Checks))
	}
	fmt.Fprintf(w, "evidence:    %s\n", r.Evidence)
}

func elementsText(es []aamvaElement) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.ID + "=" + e.Value
	}
	return strings.Join(parts, " ")
}

func or(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
