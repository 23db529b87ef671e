package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/admin/admintest"
	"github.com/vigil-gw/vigil/internal/assurance"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/store"
)

// TestTableCellsStayInPlace: a tab or newline in an identity provider's
// email cannot shift a column of sessions list or forge a row of it.
func TestTableCellsStayInPlace(t *testing.T) {
	srv := admintest.New(t)
	vigil := adminCmd(t, srv)
	forged := "eve@example.com\tx\nsess-forged\troot\troot@example.com\tcorp"
	if _, _, err := srv.Sessions.Create(t.Context(), identity.Identity{Provider: "corp", Subject: "eve", Email: forged},
		session.Meta{IP: "192.0.2.7"}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := vigil("sessions", "list")
	wantOut(t, "sessions list (hostile email)", code, out, errOut, 0, "eve@example.com x sess-forged root root@example.com corp")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 { // the header, ada's session and eve's
		t.Fatalf("sessions list: %d lines, want 3:\n%s", len(lines), out)
	}
	// Every row's PROVIDER column starts where the header's does.
	col := strings.Index(lines[0], "PROVIDER")
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "sess-forged") || len(l) < col || !strings.HasPrefix(l[col:], "corp ") {
			t.Errorf("sessions list: a row out of its columns:\n%s", out)
		}
	}

	// A transmitter's reason, recorded as the SSF receiver records it.
	svc, ok := srv.Service.(*assurance.Service)
	if !ok {
		t.Fatalf("admintest serves %T, not the assurance service", srv.Service)
	}
	if err := svc.AddFactor(t.Context(), store.RiskFactor{UserID: srv.UserID, Kind: "ssf-credential-compromise", Severity: 20,
		Reason: "leak\n99/99\tadmin\tadmin", Source: "ssf:https://idp.example", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = vigil("risk", "show", "ada@example.com")
	wantOut(t, "risk show (hostile reason)", code, out, errOut, 0, "20/20", "leak 99/99 admin admin")
	if n := strings.Count(out, "\n"); n != 3 { // the score, the header and one factor
		t.Errorf("risk show: %d lines, want 3:\n%s", n, out)
	}
}

// TestTableCell: what tabwriter takes as a cell or line break, and its
// escape byte, become a space or U+FFFD; clean rows are aligned as before.
func TestTableCell(t *testing.T) {
	var b bytes.Buffer
	tb := newTable(&b)
	tb.row("A", "B", "C")
	tb.row("a\tb\vc\fd\re\u2028f\u0085g", "x\xffy\nz", "")
	tb.row("1", "2", "3")
	if err := tb.flush(); err != nil {
		t.Fatal(err)
	}
	want := "A              B      C\n" +
		"a b c d e f g  x\uFFFDy z  \n" +
		"1              2      3\n"
	if b.String() != want {
		t.Errorf("table:\n%q\nwant\n%q", b.String(), want)
	}
}
