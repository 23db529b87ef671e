package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/chip/chiptest"
	"github.com/vigil-gw/vigil/internal/evidence/mrz"
)

const chipTestdata = "../../../shared/testdata/emrtd"

func chipTestPath(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(chipTestdata, rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("test data missing: %v", err)
		}
		t.Skipf("test data missing: %v", err)
	}
	return p
}

func runChip(args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	err = cmdChip(args, &out, &errb)
	return out.String(), errb.String(), err
}

// exitOf maps cmdChip's error to the status run would return.
func exitOf(err error) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	default:
		return 1
	}
}

func bsiArgs(t *testing.T) []string {
	args := []string{"verify", "--sod", chipTestPath(t, "bsi2008/EF_SOD.bin"), "--com", chipTestPath(t, "bsi2008/EF_COM.bin")}
	for _, n := range []string{"1", "2", "3", "14"} {
		args = append(args, "--dg", n+"="+chipTestPath(t, "bsi2008/Datagroup"+n+".bin"))
	}
	return args
}

func TestChipVerifyRealData(t *testing.T) {
	masterlists := chipTestPath(t, "masterlists")
	cases := []struct {
		name     string
		args     []string
		want     []string // substrings of stdout
		wantCode int
	}{
		{"BSI specimen, master lists", append(bsiArgs(t), "--trust", masterlists, "--at", "2026-08-01"),
			[]string{"trust: 2 CSCA certificates, 2 master lists", "ok   dg-hash:DG14", "FAIL ds-chain",
				"csca-unknown", "hint: the Document Signer's CSCA is not among the --trust files",
				"document: TD3 P issued by D, number C11T002JM, MUSTERMANN, ERIKA", "face 1: image/jp2 413x531",
				"passive authentication FAILED, active authentication not-supported: refused (csca-unknown)"}, 1},
		{"BSI specimen, no trust", append(bsiArgs(t), "--at", "2026-08-01"),
			[]string{"FAIL ds-chain", "no trusted CSCAs configured", "hint: pass --trust"}, 1},
		{"BSI specimen, printed MRZ of another document", append(bsiArgs(t), "--at", "2026-08-01", "--mrz-file",
			writeChipTemp(t, "mrz.txt", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n")),
			[]string{"FAIL mrz-cross-check", "mrz-mismatch: differs: issuing_state, name"}, 1},
		// The real SODs come without data groups: the chain holds, DG1 is missing.
		{"DE SOD, master lists", []string{"verify", "--sod", chipTestPath(t, "sod/DE_EF_SOD.bin"), "--trust", masterlists, "--at", "2026-08-01"},
			[]string{"ok   sod-signature", "ok   ds-chain", "issued by CN=csca-germany", "FAIL dg1", "note dg2              dg2-missing",
				"passive authentication FAILED, active authentication not-supported: refused (dg1-missing, dg2-missing)"}, 1},
		{"MY SOD, master lists", []string{"verify", "--sod", chipTestPath(t, "sod/MY_EF_SOD.bin"), "--trust", masterlists, "--at", "2026-08-01"},
			[]string{"ok   ds-chain", "csca: CN=Malaysia Country Signer"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, err := runChip(tc.args...)
			t.Log("\n" + out)
			if exitOf(err) != tc.wantCode || !errors.Is(err, errReported) {
				t.Fatalf("exit %d (%v), want %d\n%s%s", exitOf(err), err, tc.wantCode, out, errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func writeChipTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestChipVerifyIssuedChip runs a chip from the test issuing state, whose
// CSCA the operator trusts: the path where everything passes.
func TestChipVerifyIssuedChip(t *testing.T) {
	at := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	state, err := chiptest.NewState(chiptest.StateOptions{Now: at.Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	printed := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
	holder, err := mrz.Parse(printed, at)
	if err != nil {
		t.Fatal(err)
	}
	face, err := os.ReadFile(chipTestPath(t, "dg2/ISO19794_5_Test1_Face.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := state.Issue(chiptest.DocumentOptions{MRZ: holder, Portrait: face, AA: chiptest.AARSA})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	challenge := []byte("8bytes!!")
	resp, err := c.SignAA(challenge)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"verify", "--sod", write("sod", c.SOD), "--com", write("com", c.COM),
		"--trust", write("csca.cer", state.CSCA.Raw), "--at", "2026-08-01", "--mrz-file", write("mrz.txt", []byte(printed))}
	for n, b := range c.DataGroups {
		args = append(args, "--dg", fmt.Sprintf("%d=%s", n, write(fmt.Sprintf("dg%d", n), b)))
	}
	aa := []string{"--challenge", hex.EncodeToString(challenge), "--aa-response", write("aa", resp)}

	out, errs, err := runChip(append(args, aa...)...)
	if err != nil || !strings.Contains(out, "passive authentication passed, active authentication passed: accepted") ||
		!strings.Contains(out, "ok   mrz-cross-check") || !strings.Contains(out, "face 1: image/jpeg") {
		t.Fatalf("exit %d (%v)\n%s%s", exitOf(err), err, out, errs)
	}

	// JSON output of the same reading, without active authentication.
	out, _, err = runChip(append(args, "--output", "json")...)
	var rep struct {
		Accept      bool     `json:"accept"`
		PassiveAuth bool     `json:"passive_auth"`
		ActiveAuth  string   `json:"active_auth"`
		Reasons     []string `json:"reasons"`
		Document    struct {
			Surname string `json:"surname"`
		} `json:"document"`
	}
	if jerr := json.Unmarshal([]byte(out), &rep); jerr != nil || err != nil || !rep.Accept || !rep.PassiveAuth ||
		rep.ActiveAuth != "not-performed" || len(rep.Reasons) != 0 || rep.Document.Surname != "ERIKSSON" {
		t.Fatalf("json %+v, %v, %v\n%s", rep, jerr, err, out)
	}

	// A response to another challenge: passive authentication holds, the
	// reading is refused.
	aa[1] = hex.EncodeToString([]byte("another!"))
	out, _, err = runChip(append(args, aa...)...)
	if exitOf(err) != 1 || !strings.Contains(out, "passive authentication passed, active authentication failed: refused (aa-signature-invalid)") {
		t.Fatalf("wrong challenge: exit %d\n%s", exitOf(err), out)
	}
}

func TestChipVerifyUsage(t *testing.T) {
	sod := chipTestPath(t, "bsi2008/EF_SOD.bin")
	cases := []struct {
		name string
		args []string
		code int
		want string // substring of stdout+stderr+error
	}{
		{"no subcommand", nil, 2, "chip verify"},
		{"unknown subcommand", []string{"check"}, 2, "chip verify"},
		{"help", []string{"verify", "--help"}, 0, "master list"},
		{"missing --sod", []string{"verify"}, 2, "--sod is required"},
		{"unreadable --sod", []string{"verify", "--sod", "/nonexistent/sod"}, 2, "no such file"},
		{"unreadable --dg", []string{"verify", "--sod", sod, "--dg", "1=/nonexistent/dg1"}, 2, "--dg 1"},
		{"bad --dg", []string{"verify", "--sod", sod, "--dg", "17=x"}, 2, "N=FILE"},
		{"repeated --dg", []string{"verify", "--sod", sod, "--dg", "1=" + sod, "--dg", "1=" + sod}, 2, "DG1 given twice"},
		{"bad --output", []string{"verify", "--sod", sod, "--output", "xml"}, 2, "text or json"},
		{"bad --at", []string{"verify", "--sod", sod, "--at", "01/08/2026"}, 2, "YYYY-MM-DD"},
		{"challenge alone", []string{"verify", "--sod", sod, "--challenge", "0102030405060708"}, 2, "go together"},
		{"bad challenge", []string{"verify", "--sod", sod, "--challenge", "xyz", "--aa-response", sod}, 2, "not hex"},
		{"stray argument", []string{"verify", "--sod", sod, "extra"}, 2, "no arguments"},
		{"unrecognised trust file", []string{"verify", "--sod", sod, "--trust", sod}, 2, "--trust"},
		{"missing trust dir", []string{"verify", "--sod", sod, "--trust", "/nonexistent/trust"}, 2, "--trust"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, err := runChip(tc.args...)
			all := out + errs
			if err != nil {
				all += err.Error()
			}
			if exitOf(err) != tc.code || !strings.Contains(all, tc.want) {
				t.Fatalf("exit %d, want %d with %q:\n%s", exitOf(err), tc.code, tc.want, all)
			}
		})
	}
}
