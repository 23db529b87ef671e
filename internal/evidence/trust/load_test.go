package trust

import (
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// trustDir copies testdata files into a fresh directory under the given
// names.
func trustDir(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fileErrors(err error) map[string]*Error {
	out := map[string]*Error{}
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var fe *FileError
		var te *Error
		if errors.As(err, &fe) && errors.As(err, &te) {
			out[filepath.Base(fe.Path)] = te
		}
	}
	walk(err)
	return out
}

func TestLoadFilesRealData(t *testing.T) {
	deCert := readData(t, lists[0].anchor)
	nlPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: readData(t, lists[1].anchor)})
	// Names sort lists before their anchors and hide the kind: content
	// decides, and certificates load first whatever the order.
	dir := trustDir(t, map[string][]byte{
		"a-de":      readData(t, lists[0].ml),
		"b-nl.bin":  readData(t, lists[1].ml),
		"y-de.pem":  deCert,
		"z-nl.crt":  nlPEM,
		".swp":      []byte("editor junk"),
		"README.md": nil, // replaced below by a directory
	})
	os.Remove(filepath.Join(dir, "README.md"))
	os.Mkdir(filepath.Join(dir, "old"), 0o700)
	s := NewStore()
	sum, err := s.LoadFiles([]string{dir}, importTime)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", sum)
	if sum.CSCAs != 2 || sum.MasterLists != 2 || sum.CRLs != 0 || len(sum.Files) != 4 || len(sum.Skipped) != 2 {
		t.Fatalf("summary %+v", sum)
	}
	if sum.Added != len(s.List()) || sum.Added < 600 {
		t.Fatalf("added %d, store holds %d", sum.Added, len(s.List()))
	}
	for _, f := range sum.Files {
		if f.Kind == KindMasterList && f.Country != map[string]string{"a-de": "DE", "b-nl.bin": "NL"}[filepath.Base(f.Path)] {
			t.Errorf("%s anchored by %q", f.Path, f.Country)
		}
	}
	// Loading again adds nothing; the DE list on its own now finds its
	// anchor among the operator CSCAs of the earlier call.
	sum, err = s.LoadFiles([]string{filepath.Join(dir, "a-de")}, importTime)
	if err != nil || sum.Added != 0 || sum.MasterLists != 1 {
		t.Fatalf("reload: %+v %v", sum, err)
	}
}

func TestLoadFilesRefused(t *testing.T) {
	de, nl := readData(t, lists[0].ml), readData(t, lists[1].ml)
	cert := readData(t, lists[0].anchor)
	cases := []struct {
		name   string
		files  map[string][]byte
		reason map[string]string // file -> reason; others must load
	}{
		{"list without its anchor", map[string][]byte{"de.ml": de, "nl.cer": readData(t, lists[1].anchor)},
			map[string]string{"de.ml": ReasonMasterListRejected}},
		{"list anchored only by a master list CSCA", map[string][]byte{"nl.ml": nl, "de.ml": de, "de.cer": cert},
			map[string]string{"nl.ml": ReasonMasterListRejected}},
		{"junk", map[string][]byte{"notes.txt": []byte("trust me"), "de.cer": cert},
			map[string]string{"notes.txt": ReasonFileRejected}},
		{"empty file", map[string][]byte{"x.cer": nil}, map[string]string{"x.cer": ReasonFileRejected}},
		{"truncated certificate", map[string][]byte{"x.cer": cert[:len(cert)-1]}, map[string]string{"x.cer": ReasonFileRejected}},
		{"damaged certificate", map[string][]byte{"x.cer": append(append([]byte{}, cert[:20]...), make([]byte, len(cert)-20)...)},
			map[string]string{"x.cer": ReasonFileRejected}},
		{"PEM private key", map[string][]byte{"k.pem": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}})},
			map[string]string{"k.pem": ReasonFileRejected}},
		{"PEM with trailing text", map[string][]byte{"c.pem": append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert}), "junk"...)},
			map[string]string{"c.pem": ReasonFileRejected}},
		{"PEM label lies", map[string][]byte{"c.pem": pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: cert})},
			map[string]string{"c.pem": ReasonFileRejected}},
		{"damaged list", map[string][]byte{"de.ml": flipped(de, len(de)-10), "de.cer": cert},
			map[string]string{"de.ml": ReasonMasterListRejected}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStore()
			sum, err := s.LoadFiles([]string{trustDir(t, tc.files)}, importTime)
			got := fileErrors(err)
			if len(got) != len(tc.reason) {
				t.Fatalf("errors %v, want failures %v", err, tc.reason)
			}
			for name, reason := range tc.reason {
				if got[name] == nil || got[name].Reason != reason {
					t.Fatalf("%s: got %v, want %s", name, got[name], reason)
				}
				if !strings.Contains(err.Error(), name) {
					t.Fatalf("error %q does not name %s", err, name)
				}
			}
			if len(sum.Files) != len(tc.files)-len(tc.reason) {
				t.Fatalf("loaded %d files, want %d", len(sum.Files), len(tc.files)-len(tc.reason))
			}
			t.Log(err)
		})
	}
}

func TestLoadFilesMissingPath(t *testing.T) {
	_, err := NewStore().LoadFiles([]string{filepath.Join(t.TempDir(), "nope")}, importTime)
	if got := fileErrors(err); len(got) != 1 || got["nope"].Reason != ReasonFileRejected {
		t.Fatalf("got %v", err)
	}
}

func flipped(b []byte, at int) []byte {
	c := append([]byte{}, b...)
	c[at] ^= 0x01
	return c
}

func FuzzSniff(f *testing.F) {
	for _, l := range lists {
		f.Add(readData(f, l.anchor))
		f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: readData(f, l.anchor)}))
	}
	f.Add(readData(f, lists[1].ml)[:4096])
	f.Add([]byte("-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		kind, ders, err := sniff(b)
		if err != nil {
			if kind != "" || ders != nil {
				t.Fatalf("error %v with kind %q", err, kind)
			}
			return
		}
		if len(ders) == 0 {
			t.Fatalf("kind %q without objects", kind)
		}
		for _, d := range ders {
			if k, err := derKind(d); err != nil || k != kind {
				t.Fatalf("object of kind %q re-sniffs as %q, %v", kind, k, err)
			}
		}
	})
}
