package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const emrtdData = "../../../shared/testdata/emrtd/masterlists"

// trustTime is inside both real list signers' validity, so these tests do
// not expire with the lists.
var trustTime = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)

func realFile(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(emrtdData, name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("test data missing: %v", err)
		}
		t.Skipf("test data missing: %v", err)
	}
	return p
}

func trustRun(args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	err = runTrust(args, &out, &errb, trustTime)
	return out.String(), errb.String(), err
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestTrustImportAndList(t *testing.T) {
	deCert, deML := realFile(t, "DE_ROOT_CA_CSCA07.cer"), realFile(t, "DE_ML_2026-05-28.ml")
	nlCert, nlML := realFile(t, "NL_ROOT_CA.cer"), realFile(t, "NL_ML_2026-07-22.ml")
	dir := filepath.Join(t.TempDir(), "trust")
	// Lists before their anchors on the command line: certificates load first.
	out, errs, err := trustRun("import", "--dir", dir, deML, nlML, deCert, nlCert)
	if err != nil {
		t.Fatalf("import: %v\n%s%s", err, out, errs)
	}
	t.Log(out)
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("trust dir: %v %v", st.Mode(), err)
	}
	names := dirNames(t, dir)
	pattern := regexp.MustCompile(`^(csca-(DE|NL)-[0-9a-f]{12}\.cer|masterlist-(DE|NL)-[0-9a-f]{12}\.ml)$`)
	if len(names) != 4 {
		t.Fatalf("dir holds %v", names)
	}
	for _, n := range names {
		if !pattern.MatchString(n) {
			t.Errorf("file name %q", n)
		}
	}
	if !strings.Contains(out, "master list anchored by DE") || !strings.Contains(out, "now trusts 627 CSCAs from") {
		t.Fatalf("import output:\n%s", out)
	}
	// Importing again copies nothing.
	out, _, err = trustRun("import", "--dir", dir, deCert, deML)
	if err != nil || strings.Count(out, "already present") != 2 || len(dirNames(t, dir)) != 4 {
		t.Fatalf("re-import: %v\n%s", err, out)
	}

	out, _, err = trustRun("list", "--dir", dir)
	if err != nil || !regexp.MustCompile(`(?m)^627 CSCAs from \d+ countries$`).MatchString(out) ||
		!strings.Contains(out, "EC brainpoolP") || !strings.HasPrefix(out, "COUNTRY") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, _, err = trustRun("list", "--dir", dir, "--country", "nl", "--output", "json")
	var rows []listRow
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil || len(rows) == 0 {
		t.Fatalf("list json: %v\n%s", err, out)
	}
	for _, r := range rows {
		if r.Country != "NL" || r.KeyType == "" || r.NotAfter.IsZero() || len(r.Sources) == 0 {
			t.Fatalf("row %+v", r)
		}
	}
}

func TestTrustImportRefused(t *testing.T) {
	deCert, deML := realFile(t, "DE_ROOT_CA_CSCA07.cer"), realFile(t, "DE_ML_2026-05-28.ml")
	nlCert := realFile(t, "NL_ROOT_CA.cer")
	junk := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(junk, []byte("trust me"), 0o600)
	cases := []struct {
		name    string
		files   []string
		refused []string // base names the error output must name
		copied  int
	}{
		{"list without its anchor", []string{deML, nlCert}, []string{"DE_ML_2026-05-28.ml"}, 1},
		{"junk beside a good certificate", []string{junk, deCert}, []string{"notes.txt"}, 1},
		{"missing file", []string{filepath.Join(t.TempDir(), "nope.cer")}, []string{"nope.cer"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "trust")
			out, errs, err := trustRun(append([]string{"import", "--dir", dir}, tc.files...)...)
			if !errors.Is(err, errReported) {
				t.Fatalf("want a reported failure, got %v", err)
			}
			for _, r := range tc.refused {
				if !strings.Contains(errs, "refused") || !strings.Contains(errs, r) {
					t.Fatalf("stderr does not refuse %s:\n%s", r, errs)
				}
			}
			if got := len(dirNamesIfAny(dir)); got != tc.copied {
				t.Fatalf("copied %d files, want %d\n%s", got, tc.copied, out)
			}
			t.Log(errs)
		})
	}
}

func dirNamesIfAny(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// A directory that does not load is never added to: fix it first.
func TestTrustBrokenDir(t *testing.T) {
	deCert := realFile(t, "DE_ROOT_CA_CSCA07.cer")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "stray.bin"), []byte{0x30, 0x00}, 0o600)
	for _, args := range [][]string{{"import", "--dir", dir, deCert}, {"list", "--dir", dir}} {
		_, _, err := trustRun(args...)
		if err == nil || !strings.Contains(err.Error(), "does not load") || !strings.Contains(err.Error(), "stray.bin") {
			t.Fatalf("%v: %v", args, err)
		}
	}
	if len(dirNames(t, dir)) != 1 {
		t.Fatal("copied into a broken directory")
	}
}

// CRLs go through import and show in list. The CSCA is synthetic: the
// testdata has no CRLs.
func TestTrustCRL(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CSCA", Country: []string{"UT"}},
		NotBefore: trustTime.AddDate(-1, 0, 0), NotAfter: trustTime.AddDate(5, 0, 0),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true,
		SubjectKeyId: []byte{1, 2, 3},
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: trustTime.AddDate(0, -1, 0), NextUpdate: trustTime.AddDate(0, 2, 0),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: big.NewInt(7), RevocationTime: trustTime.AddDate(0, -2, 0)}},
	}, tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	certPath, crlPath := filepath.Join(src, "csca.pem"), filepath.Join(src, "csca.crl")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert}), 0o600)
	os.WriteFile(crlPath, crl, 0o600)
	dir := filepath.Join(t.TempDir(), "trust")
	// The CRL alone is refused: no trusted CSCA signed it.
	if _, errs, err := trustRun("import", "--dir", dir, crlPath); !errors.Is(err, errReported) || !strings.Contains(errs, "crl-rejected") {
		t.Fatalf("lone CRL: %v %s", err, errs)
	}
	if out, errs, err := trustRun("import", "--dir", dir, crlPath, certPath); err != nil || !strings.Contains(out, "CRL of a UT CSCA") {
		t.Fatalf("import: %v\n%s%s", err, out, errs)
	}
	out, _, err := trustRun("list", "--dir", dir, "--country", "UT")
	if err != nil || !strings.Contains(out, "1 revoked") || !strings.Contains(out, "1 CSCA from 1 country") {
		t.Fatalf("list: %v\n%s", err, out)
	}
}

func TestTrustUsage(t *testing.T) {
	cases := []struct {
		args []string
		want error // errHelp, or nil for a usageError
		text string
	}{
		{nil, nil, "vigil trust import"},
		{[]string{"--help"}, errHelp, "master list"},
		{[]string{"import", "--help"}, errHelp, "-dir"},
		{[]string{"list", "-h"}, errHelp, "-output"},
		{[]string{"frob"}, nil, "vigil trust list"},
		{[]string{"import", "x.cer"}, nil, "-dir"},
		{[]string{"import", "--dir", "d"}, nil, "-dir"},
		{[]string{"list"}, nil, "-dir"},
		{[]string{"list", "--dir", ".", "--output", "yaml"}, nil, "-output"},
	}
	for _, tc := range cases {
		var out, errb bytes.Buffer
		err := cmdTrust(tc.args, &out, &errb)
		var ue usageError
		ok := errors.Is(err, tc.want)
		if tc.want == nil {
			ok = errors.As(err, &ue)
		}
		if !ok || !strings.Contains(out.String()+errb.String(), tc.text) {
			t.Errorf("trust %v: %v, output %q; want %v containing %q", tc.args, err, out.String()+errb.String(), tc.want, tc.text)
		}
	}
}
