package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/vigil-gw/vigil/internal/admin"
)

func TestTerminalSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ada@example.com\tAda\n", "ada@example.com\tAda\n"},
		{"Zoë 🙂\n", "Zoë 🙂\n"},
		{"evil\x1b]0;pwned\x07name", "evil\uFFFD]0;pwned\uFFFDname"},
		{"hide\rover", "hide\uFFFDover"},
		{"csi\xc2\x9b2J", "csi\uFFFD2J"},
		{"raw\x9b2J", "raw\uFFFD2J"},
		{"del\x7f", "del\uFFFD"},
		{"line\u2028sep", "line\uFFFDsep"},
	} {
		var b bytes.Buffer
		n, err := terminalSafe(&b).Write([]byte(tc.in))
		if err != nil || n != len(tc.in) || b.String() != tc.want {
			t.Errorf("%q: wrote %q (%d, %v), want %q", tc.in, b.String(), n, err, tc.want)
		}
	}
}

func FuzzTerminalSafe(f *testing.F) {
	for _, s := range []string{"plain\n", "a\x1b[2Jb", "\xc2\x9b", "\xff\xfe", "tab\there"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := sanitize(in)
		if !utf8.Valid(out) {
			t.Fatalf("%q: not UTF-8: %q", in, out)
		}
		for _, r := range string(out) {
			if r != '\n' && r != '\t' && unicode.IsControl(r) {
				t.Fatalf("%q: control %U kept in %q", in, r, out)
			}
		}
		if utf8.Valid(in) && utf8.RuneCount(out) != utf8.RuneCount(in) {
			t.Fatalf("%q: rune count changed: %q", in, out)
		}
	})
}

// TestServerTextToTerminal: an admin API that answers with control
// characters (a compromised replica, or a proxy in between) cannot write
// them to the operator's terminal, in an error or in config show's header.
func TestServerTextToTerminal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case admin.BasePath + "/config/versions/1":
			io.WriteString(w, `{"version":1,"sha256":"ab","actor":"admin:x\u001b]0;pwned\u0007","document":"apps: []\n"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":"not-found","error_description":"no user\u001b[2J","reasons":["gone\u009b2J"]}`)
		}
	}))
	t.Cleanup(srv.Close)
	t.Setenv("VIGIL_ADMIN_TOKEN", "t")
	for _, args := range [][]string{{"users", "show", "ada"}, {"config", "show", "1"}} {
		code, out, errOut := runCmd(t, append(args, "--server", srv.URL)...)
		if strings.ContainsFunc(out+errOut, func(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }) {
			t.Errorf("%v: exit %d, a control character reached the terminal:\n%q\n%q", args, code, out, errOut)
		}
		if !strings.Contains(out+errOut, "\uFFFD") {
			t.Errorf("%v: exit %d, no replacement shown:\n%q\n%q", args, code, out, errOut)
		}
	}
}
