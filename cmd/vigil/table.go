package main

import (
	"io"
	"strings"
	"text/tabwriter"
)

// table is how the CLI writes every table: cells come from outside (claims
// from identity providers, reasons from transmitters, IPs, certificate
// subjects), and one holding a tab or a newline must not shift a column or
// forge a row. terminalSafe keeps tab and newline, so the cells are cleaned
// here, where the separators are known.
type table struct {
	tw  *tabwriter.Writer
	err error // the first write error, which flush reports
}

// newTable writes to w through terminalSafe: a caller that forgot it still
// cannot pass a control character to the terminal.
func newTable(w io.Writer) *table {
	return &table{tw: tabwriter.NewWriter(terminalSafe(w), 0, 4, 2, ' ', 0)}
}

// row writes one line of cells.
func (t *table) row(cells ...string) {
	for i, c := range cells {
		if i > 0 {
			t.write("\t")
		}
		t.write(cell(c))
	}
	t.write("\n")
}

func (t *table) write(s string) {
	if t.err == nil {
		_, t.err = io.WriteString(t.tw, s)
	}
}

// flush writes the aligned table.
func (t *table) flush() error {
	if t.err != nil {
		return t.err
	}
	return t.tw.Flush()
}

// cell is s on one line and in one column: every rune that tabwriter or a
// terminal takes as a cell or line break becomes a space. A byte that is
// not UTF-8 becomes U+FFFD here rather than in terminalSafe, since 0xff is
// tabwriter's escape and would hide the separators after it.
func cell(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\v', '\n', '\f', '\r', '\u0085', '\u2028', '\u2029':
			return ' '
		}
		return r
	}, s)
}

// dash keeps an empty table cell visible.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
