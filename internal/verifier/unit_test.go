package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/evidence/email"
)

func TestPickRung(t *testing.T) {
	for _, c := range []struct {
		name      string
		supported []string
		in        []string
		want      string
	}{
		{"none", Ladder, nil, RungEmail},
		{"unknown only", Ladder, []string{"urn:other"}, RungEmail},
		{"email", Ladder, []string{RungEmail}, RungEmail},
		{"highest wins", Ladder, []string{RungEmail, RungDocumentReview}, RungDocumentReview},
		{"chip", Ladder, []string{RungChip, RungEmail}, RungChip},
		{"unknown higher skipped", Ladder, []string{"urn:vigil:idv:chip-biometric", RungEmail}, RungEmail},
		{"chip without trust store", Ladder[:2], []string{RungChip, RungDocumentReview}, RungDocumentReview},
		{"only chip, without trust store", Ladder[:2], []string{RungChip}, RungEmail},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := pickRung(c.supported, c.in); got != c.want {
				t.Fatalf("pickRung(%v) = %s, want %s", c.in, got, c.want)
			}
		})
	}
}

var sniffCases = []struct {
	name string
	in   []byte
	want string
}{
	{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0}, "image/jpeg"},
	{"png", []byte("\x89PNG\r\n\x1a\n...."), "image/png"},
	{"gif", []byte("GIF89a"), ""},
	{"short jpeg", []byte{0xFF, 0xD8}, ""},
	{"html", []byte("<html>"), ""},
	{"empty", nil, ""},
}

func TestSniffImage(t *testing.T) {
	for _, c := range sniffCases {
		if got := sniffImage(c.in); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func FuzzSniffImage(f *testing.F) {
	for _, c := range sniffCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		switch got := sniffImage(b); got {
		case "image/jpeg":
			if !bytes.HasPrefix(b, magicJPEG) {
				t.Fatal("jpeg without magic")
			}
		case "image/png":
			if !bytes.HasPrefix(b, magicPNG) {
				t.Fatal("png without magic")
			}
		case "":
		default:
			t.Fatalf("unexpected type %q", got)
		}
	})
}

var stepsCases = []string{
	``,
	`{}`,
	`{"email":{"address":"a@corp.example","verified_at":"2026-01-02T03:04:05Z"}}`,
	`{"document":{"evidence_id":"x","fields":{"code":"P","number":"L898902C3","given_names":["ANNA"]}},"finished_at":"2026-01-02T03:04:05Z"}`,
	`{"email":1}`,
	`[`,
}

func TestDecodeStepsRoundTrip(t *testing.T) {
	for _, c := range stepsCases {
		s, err := decodeSteps([]byte(c))
		if err != nil {
			continue
		}
		b, err := s.encode()
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeSteps(b)
		if err != nil {
			t.Fatalf("%s: re-decode: %v", c, err)
		}
		b2, _ := again.encode()
		if !bytes.Equal(b, b2) {
			t.Fatalf("%s: not stable: %s vs %s", c, b, b2)
		}
	}
	if _, err := decodeSteps([]byte(`{"email":1}`)); err == nil {
		t.Fatal("accepted a malformed steps record")
	}
	if _, err := decodeSteps(bytes.Repeat([]byte(" "), maxSteps+1)); err == nil {
		t.Fatal("accepted an oversized steps record")
	}
}

func FuzzDecodeSteps(f *testing.F) {
	for _, c := range stepsCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeSteps(b)
		if err != nil {
			return
		}
		if _, err := s.encode(); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzDecodeOTP(f *testing.F) {
	f.Add([]byte(`{"Address":"a@corp.example","Failures":2,"Sends":["2026-01-02T03:04:05Z"]}`))
	f.Add([]byte(`{"LockedUntil":"2026-01-02T03:04:05Z"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var ch email.Challenge
		if decodeOTP(b, &ch) != nil {
			return
		}
		out, err := encodeOTP(&ch, ch.IsZero())
		if err != nil {
			t.Fatal(err)
		}
		var again email.Challenge
		if err := decodeOTP(out, &again); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
	})
}

func TestSameName(t *testing.T) {
	f := &docFields{Surname: "ERIKSSON", GivenNames: []string{"ANNA", "MARIA"}}
	for _, c := range []struct {
		claimed string
		want    bool
	}{
		{"Anna Maria Eriksson", true},
		{"Eriksson, Anna-Maria", true},
		{"Ánna María Eriksson", true}, // the MRZ drops accents (ICAO 9303)
		{"Anna Eriksson", false},
		{"Anna Maria Eriksson Eriksson", false},
		{"", false},
	} {
		if got := sameName(c.claimed, f); got != c.want {
			t.Errorf("sameName(%q) = %v", c.claimed, got)
		}
	}
}

func TestNewReportsEveryProblem(t *testing.T) {
	_, err := New(Config{Issuer: "http://example.com/idv", Master: []byte("short"), VerificationLifetime: -1})
	if err == nil {
		t.Fatal("New accepted an empty config")
	}
	for _, want := range []string{"plain http", "client", "master secret", "store", "mail", "OCR", "verification lifetime"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
}

func TestDiscoveryAndHeaders(t *testing.T) {
	e := newEnv(t, nil)
	resp, err := http.Get(e.v.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"trust_frameworks_supported": "nist_800_63A", "evidence_supported": "document",
		"documents_supported": "passport idcard", "documents_check_methods_supported": "vri pvr",
		"acr_values_supported":                RungEmail + " " + RungDocumentReview,
		"claims_in_verified_claims_supported": "given_name family_name birthdate nationalities",
	} {
		if got := strings.Trim(strings.ReplaceAll(strings.ReplaceAll(jsonText(d[k]), `"`, ""), ",", " "), " "); got != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
	if d["claims_parameter_supported"] != true {
		t.Error("claims_parameter_supported is not true")
	}
	b := e.browser()
	b.begin(RungEmail, "", "")
	resp2, _ := b.do(http.MethodGet, b.path("/email"), "", nil)
	if csp := resp2.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	// A domain outside the allow-list is refused before any mail goes out.
	if st, body := b.postForm("/email/send", map[string][]string{"address": {"x@evil.example"}}); st != http.StatusBadRequest || !strings.Contains(body, "domain-not-allowed") {
		t.Errorf("foreign domain: %d", st)
	}
	// Another browser cannot use the auth request.
	other := e.browser()
	other.id = b.id
	if st, _ := other.postForm("/email/send", map[string][]string{"address": {"x@corp.example"}}); st != http.StatusForbidden {
		t.Errorf("other browser: %d", st)
	}
	if err := e.v.Purge(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), "[]")
}
