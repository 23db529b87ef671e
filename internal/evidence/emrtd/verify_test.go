package emrtd

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/trust"
)

func TestVerifyBSI(t *testing.T) {
	r := Verify(bsiInput(t), loadStore(t), testNow)
	wantChecks := []string{"com", "sod", "sod-signature", "ds-chain",
		"dg-hash:DG1", "dg-hash:DG2", "dg-hash:DG3", "dg-hash:DG14",
		"dg1", "mrz-cross-check", "dg2", "aa"}
	if got := checkNames(r); !slices.Equal(got, wantChecks) {
		t.Fatalf("checks %v, want %v", got, wantChecks)
	}
	// The specimen's CSCA is in neither master list: everything else holds.
	if r.PassiveAuth || r.Accept() || !slices.Equal(r.Reasons, []string{trust.ReasonCSCAUnknown}) {
		t.Fatalf("PA %v accept %v reasons %v", r.PassiveAuth, r.Accept(), r.Reasons)
	}
	for _, c := range r.Checks {
		switch {
		case c.Name == CheckChain:
			if c.OK || c.Reason != trust.ReasonCSCAUnknown {
				t.Errorf("%+v", c)
			}
		case c.Name == CheckMRZ || c.Name == CheckAA:
			if !c.Skipped || c.OK || c.Reason != "" {
				t.Errorf("%+v", c)
			}
		case !c.OK:
			t.Errorf("%+v", c)
		}
	}
	d := r.Document
	if d == nil || d.Surname != "MUSTERMANN" || !slices.Equal(d.GivenNames, []string{"ERIKA"}) ||
		d.DocumentNumber != "C11T002JM" || d.IssuingState != "D" || d.BirthDate != "1996-08-12" ||
		d.ExpiryDate != "2013-10-31" || !d.Expired || d.Format != "TD3" {
		t.Fatalf("document %+v", d)
	}
	if r.ActiveAuth != AANotSupported {
		t.Errorf("active auth %q", r.ActiveAuth)
	}
	if len(r.Faces) != 1 || r.Faces[0].ImageType == "unknown" || len(r.Faces[0].Image) == 0 ||
		r.Faces[0].Width == 0 || r.Faces[0].Size != len(r.Faces[0].Image) {
		t.Fatalf("faces %+v", r.Faces)
	}
	if r.DocumentSigner == nil || r.DocumentSigner.Country != "DE" || r.CSCA != nil {
		t.Fatalf("DS %+v CSCA %+v", r.DocumentSigner, r.CSCA)
	}
	if r.COM == nil || !slices.Equal(r.COM.DataGroups, []int{1, 2, 3, 14}) || !slices.Equal(r.SODDataGroups, r.COM.DataGroups) ||
		r.Check(CheckSOD).Detail != "SHA-1 hashes for DG1 DG2 DG3 DG14" {
		t.Fatalf("COM %+v, sod detail %q", r.COM, r.Check(CheckSOD).Detail)
	}
	t.Logf("face %s %dx%d %d bytes; DS %s (%s)", r.Faces[0].MIMEType, r.Faces[0].Width, r.Faces[0].Height,
		r.Faces[0].Size, r.DocumentSigner.Subject, r.DocumentSigner.KeyType)
}

// TestVerifyBSIVariants changes one input at a time and checks which
// reasons appear beside the specimen's csca-unknown.
func TestVerifyBSIVariants(t *testing.T) {
	mustermann := strings.Join(bsiMRZ, "\n")
	cases := []struct {
		name   string
		edit   func(in *Input)
		trust  bool
		want   []string // reasons, in order
		aa     string
		noDoc  bool
		detail map[string]string // check name -> detail substring
	}{
		{name: "printed MRZ matches", edit: func(in *Input) { in.PrintedMRZ = mustermann }, trust: true,
			want: []string{"csca-unknown"}, aa: AANotSupported},
		{name: "printed MRZ with OCR whitespace", edit: func(in *Input) { in.PrintedMRZ = "  " + bsiMRZ[0] + " \r\n\r\n" + bsiMRZ[1] + "\n" },
			trust: true, want: []string{"csca-unknown"}, aa: AANotSupported},
		{name: "printed MRZ of another document", edit: func(in *Input) { in.PrintedMRZ = strings.Join(specimenTD3, "\n") }, trust: true,
			want: []string{"csca-unknown", "mrz-mismatch"}, aa: AANotSupported,
			detail: map[string]string{CheckMRZ: "differs: issuing_state, name, document_number, nationality, birth_date, expiry_date"}},
		{name: "printed MRZ unreadable", edit: func(in *Input) { in.PrintedMRZ = "P<D<<MUSTERMANN" }, trust: true,
			want: []string{"csca-unknown", "mrz-printed-malformed"}, aa: AANotSupported},
		{name: "no trust store", edit: func(in *Input) {}, want: []string{"csca-unknown"}, aa: AANotSupported,
			detail: map[string]string{CheckChain: "no trusted CSCAs"}},
		{name: "DG1 missing", edit: func(in *Input) { delete(in.DataGroups, 1); in.PrintedMRZ = mustermann }, trust: true,
			want: []string{"csca-unknown", "dg1-missing"}, aa: AANotSupported, noDoc: true,
			detail: map[string]string{CheckMRZ: "DG1 did not parse"}},
		{name: "DG2 missing", edit: func(in *Input) { delete(in.DataGroups, 2) }, trust: true,
			want: []string{"csca-unknown", "dg2-missing"}, aa: AANotSupported},
		{name: "DG2 is DG3", edit: func(in *Input) { in.DataGroups[2] = in.DataGroups[3] }, trust: true,
			want: []string{"csca-unknown", "dg-hash-mismatch:DG2", "dg2-malformed"}, aa: AANotSupported},
		{name: "DG5 not in SOD", edit: func(in *Input) { in.DataGroups[5] = []byte{0x65, 0x00} }, trust: true,
			want: []string{"csca-unknown", "dg-missing-in-sod:DG5"}, aa: AANotSupported},
		{name: "DG number 0 and 17", edit: func(in *Input) { in.DataGroups[0] = []byte{1}; in.DataGroups[17] = []byte{1} }, trust: true,
			want: []string{"csca-unknown", "dg-invalid"}, aa: AANotSupported},
		{name: "oversized DG3", edit: func(in *Input) { in.DataGroups[3] = make([]byte, maxDataGroupSize+1) }, trust: true,
			want: []string{"csca-unknown", "dg-invalid"}, aa: AANotSupported},
		{name: "no EF.COM", edit: func(in *Input) { in.COM = nil }, trust: true,
			want: []string{"csca-unknown"}, aa: AANotSupported},
		{name: "bad EF.COM", edit: func(in *Input) { in.COM = in.COM[:10] }, trust: true,
			want: []string{"com-malformed", "csca-unknown"}, aa: AANotSupported},
		{name: "no SOD", edit: func(in *Input) { in.SOD = nil }, trust: true,
			want: []string{"sod-malformed"}, aa: AANotPerformed},
		{name: "SOD is DG1", edit: func(in *Input) { in.SOD = in.DataGroups[1] }, trust: true,
			want: []string{"sod-malformed"}, aa: AANotPerformed},
		{name: "no data groups", edit: func(in *Input) { in.DataGroups = nil }, trust: true,
			want: []string{"csca-unknown", "dg1-missing", "dg2-missing"}, aa: AANotSupported, noDoc: true},
		{name: "DG4 and DG15 beside the SOD", edit: func(in *Input) {
			in.DataGroups[4] = readData(t, "bsi2008/Datagroup4.bin")
			in.DataGroups[15] = readData(t, "bsi2008/Datagroup15.bin")
		}, trust: true, want: []string{"csca-unknown", "dg-missing-in-sod:DG4", "dg-missing-in-sod:DG15"}, aa: AANotPerformed},
		{name: "AA response without DG15", edit: func(in *Input) {
			in.Challenge, in.AAResponse = []byte("12345678"), make([]byte, 128)
		}, trust: true, want: []string{"csca-unknown", "dg15-missing"}, aa: AAFailed},
		{name: "AA with DG15 the SOD does not cover", edit: func(in *Input) {
			in.DataGroups[15] = readData(t, "bsi2008/Datagroup15.bin")
			in.Challenge, in.AAResponse = []byte("12345678"), make([]byte, 128)
		}, trust: true, want: []string{"csca-unknown", "dg-missing-in-sod:DG15", "aa-key-unverified"}, aa: AAFailed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := bsiInput(t)
			in.DataGroups = maps.Clone(in.DataGroups)
			tc.edit(&in)
			var tr Trust
			if tc.trust {
				tr = loadStore(t)
			}
			r := Verify(in, tr, testNow)
			if !slices.Equal(r.Reasons, tc.want) || r.ActiveAuth != tc.aa || r.PassiveAuth || r.Accept() {
				t.Fatalf("reasons %v AA %q PA %v accept %v; want %v AA %q", r.Reasons, r.ActiveAuth, r.PassiveAuth, r.Accept(), tc.want, tc.aa)
			}
			if (r.Document == nil) != tc.noDoc {
				t.Fatalf("document %+v", r.Document)
			}
			for name, sub := range tc.detail {
				if c := r.Check(name); c == nil || !strings.Contains(c.Detail, sub) {
					t.Fatalf("check %s: %+v, want detail containing %q", name, c, sub)
				}
			}
			// No check's detail or reason may quote the MRZ.
			js, _ := json.Marshal(r.Checks)
			for _, secret := range []string{"MUSTERMANN", "ERIKSSON", "C11T002JM", "L898902C3"} {
				if strings.Contains(string(js), secret) {
					t.Fatalf("checks leak %q: %s", secret, js)
				}
			}
		})
	}
}

// TestVerifyRealSODs runs the real SODs (no data groups in the test data)
// against the real master lists: everything but DG1 holds.
func TestVerifyRealSODs(t *testing.T) {
	store := loadStore(t)
	for _, cc := range countries {
		t.Run(cc, func(t *testing.T) {
			in := Input{SOD: readData(t, "sod/"+cc+"_EF_SOD.bin")}
			r := Verify(in, store, testNow)
			if !slices.Equal(r.Reasons, []string{ReasonDG1Missing, ReasonDG2Missing}) || r.PassiveAuth {
				t.Fatalf("reasons %v PA %v", r.Reasons, r.PassiveAuth)
			}
			for _, name := range []string{CheckSOD, CheckSignature, CheckChain} {
				if c := r.Check(name); c == nil || !c.OK {
					t.Fatalf("%s: %+v", name, c)
				}
			}
			if r.CSCA == nil || r.CSCA.Country != cc || r.DocumentSigner.Country != cc {
				t.Fatalf("DS %+v CSCA %+v", r.DocumentSigner, r.CSCA)
			}
			wantAA := AANotSupported
			if slices.Contains(r.SODDataGroups, 15) {
				wantAA = AANotPerformed
			}
			if r.ActiveAuth != wantAA {
				t.Fatalf("AA %q, SOD lists %v", r.ActiveAuth, r.SODDataGroups)
			}
			t.Logf("DS %s (%s) -> CSCA %s (%s); SOD DGs %v; AA %s", r.DocumentSigner.Subject, r.DocumentSigner.KeyType,
				r.CSCA.Subject, r.CSCA.KeyType, r.SODDataGroups, r.ActiveAuth)

			// The same SOD after its Document Signer expired.
			late := Verify(in, store, r.DocumentSigner.NotAfter.Add(time.Hour))
			if c := late.Check(CheckChain); c.OK || c.Reason != trust.ReasonDSExpired {
				t.Fatalf("after DS expiry: %+v", c)
			}
			// And with an empty store.
			if c := Verify(in, trust.NewStore(), testNow).Check(CheckChain); c.OK || c.Reason != trust.ReasonCSCAUnknown {
				t.Fatalf("empty store: %+v", c)
			}
		})
	}
}

func TestReportJSON(t *testing.T) {
	in := bsiInput(t)
	in.PrintedMRZ = strings.Join(bsiMRZ, "\n")
	js, err := json.Marshal(Verify(in, loadStore(t), testNow))
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"passive_auth", "active_auth", "checks", "reasons", "document", "document_signer", "faces", "com"} {
		if _, ok := back[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, js)
		}
	}
	// Neither the raw MRZ lines nor the face image go into JSON.
	if strings.Contains(string(js), bsiMRZ[1]) || strings.Contains(string(js), "/9j/") || len(js) > 8000 {
		t.Fatalf("JSON carries raw MRZ or image (%d bytes)", len(js))
	}
}
