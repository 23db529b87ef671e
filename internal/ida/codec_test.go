package ida

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sameJSON compares two JSON documents as values (member order and spacing aside; numbers exact).
func sameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := decodeNumbers(a, &x); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, a)
	}
	if err := decodeNumbers(b, &y); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return reflect.DeepEqual(x, y)
}

func TestRoundTripExternal(t *testing.T) {
	for i, in := range external {
		l, err := ParseVerifiedClaims([]byte(in))
		if err != nil {
			t.Fatalf("external[%d]: %v", i, err)
		}
		var out []byte
		if strings.HasPrefix(strings.TrimSpace(in), "{") {
			out, err = json.Marshal(l[0])
		} else {
			out, err = json.Marshal(l)
		}
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(t, []byte(in), out) {
			t.Errorf("external[%d] does not round-trip:\n in: %s\nout: %s", i, in, out)
		}
	}
}

func TestRoundTripIssued(t *testing.T) {
	for _, vc := range buildAll(t) {
		b, err := json.Marshal(vc)
		if err != nil {
			t.Fatal(err)
		}
		l, err := ParseVerifiedClaims(b)
		if err != nil {
			t.Fatalf("issued does not parse: %v\n%s", err, b)
		}
		b2, _ := json.Marshal(l[0])
		if !bytes.Equal(b, b2) {
			t.Errorf("issued does not round-trip byte for byte:\n%s\n%s", b, b2)
		}
	}
}

func TestParsedFields(t *testing.T) {
	l, err := ParseVerifiedClaims([]byte(external[1]))
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 2 {
		t.Fatalf("len = %d, want 2", len(l))
	}
	v := l[0].Verification
	if v.AssuranceLevel != IAL2 || v.Time.Time() != time.Date(2025, 11, 2, 10, 0, 0, 123456000, time.UTC) {
		t.Errorf("verification = %+v", v)
	}
	if string(v.Extra["vendor_score"]) != "0.97" || string(v.Evidence[0].Extra["vendor_flags"]) != `["x"]` {
		t.Errorf("extras lost: %v %v", v.Extra, v.Evidence[0].Extra)
	}
	if got := string(l[0].Claims.Extra["https://nametag.co/claims/age_over_21"]); got != "true" {
		t.Errorf("custom claim = %q", got)
	}
	one, _ := ParseVerifiedClaims([]byte(external[0]))
	at := one[0].Verification.Evidence[0].CheckDetails[0].Time.Time()
	if want := time.Date(2012, 4, 22, 9, 30, 0, 0, time.UTC); !at.Equal(want) {
		t.Errorf("check time = %v, want %v", at, want)
	}
}

func TestParseRejects(t *testing.T) {
	cases := map[string]string{
		"not json":               `{`,
		"string":                 `"x"`,
		"null":                   `null`,
		"empty array":            `[]`,
		"no claims":              `{"verification":{"trust_framework":"x"}}`,
		"claims null":            `{"verification":{"trust_framework":"x"},"claims":null}`,
		"no verification":        `{"claims":{}}`,
		"extra member":           `{"verification":{"trust_framework":"x"},"claims":{},"foo":1}`,
		"no trust framework":     `{"verification":{},"claims":{}}`,
		"case-folded member":     `{"verification":{"Trust_Framework":"x","trust_framework":"y"},"claims":{}}`,
		"unknown evidence type":  `{"verification":{"trust_framework":"x","evidence":[{"type":"selfie"}]},"claims":{}}`,
		"evidence without type":  `{"verification":{"trust_framework":"x","evidence":[{}]},"claims":{}}`,
		"empty evidence":         `{"verification":{"trust_framework":"x","evidence":[]},"claims":{}}`,
		"check without method":   `{"verification":{"trust_framework":"x","evidence":[{"type":"document","check_details":[{}]}]},"claims":{}}`,
		"document without type":  `{"verification":{"trust_framework":"x","evidence":[{"type":"document","document_details":{}}]},"claims":{}}`,
		"esig without issuer":    `{"verification":{"trust_framework":"x","evidence":[{"type":"electronic_signature","signature_type":"q","serial_number":"1"}]},"claims":{}}`,
		"time without zone":      `{"verification":{"trust_framework":"x","time":"2024-01-01T10:00:00"},"claims":{}}`,
		"time garbage":           `{"verification":{"trust_framework":"x","time":"soon"},"claims":{}}`,
		"time number":            `{"verification":{"trust_framework":"x","time":1700000000},"claims":{}}`,
		"birthdate bad":          `{"verification":{"trust_framework":"x"},"claims":{"birthdate":"1990-02-30"}}`,
		"birthdate year only":    `{"verification":{"trust_framework":"x"},"claims":{"birthdate":"1990"}}`,
		"nationalities empty":    `{"verification":{"trust_framework":"x"},"claims":{"nationalities":[]}}`,
		"attachments not array":  `{"verification":{"trust_framework":"x","evidence":[{"type":"document","attachments":{}}]},"claims":{}}`,
		"trust framework number": `{"verification":{"trust_framework":5},"claims":{}}`,
	}
	for name, in := range cases {
		if _, err := ParseVerifiedClaims([]byte(in)); !errors.Is(err, ErrInvalid) && err == nil {
			t.Errorf("%s: accepted %s", name, in)
		} else if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want it to match ErrInvalid", name, err)
		}
	}
	if _, err := ParseVerifiedClaims(make([]byte, MaxVerifiedClaimsSize+1)); !errors.Is(err, ErrInvalid) {
		t.Errorf("oversize: err = %v", err)
	}
}

func TestDateTimeForms(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2012-04-23T18:25Z", time.Date(2012, 4, 23, 18, 25, 0, 0, time.UTC), true},
		{"2012-04-23T18:25:43Z", time.Date(2012, 4, 23, 18, 25, 43, 0, time.UTC), true},
		{"2012-04-23T18:25:43.511Z", time.Date(2012, 4, 23, 18, 25, 43, 511e6, time.UTC), true},
		{"2012-04-23T20:25:43+02:00", time.Date(2012, 4, 23, 18, 25, 43, 0, time.UTC), true},
		{"2012-04-23T20:25+0200", time.Date(2012, 4, 23, 18, 25, 0, 0, time.UTC), true},
		{"2012-04-23T13:25-05", time.Date(2012, 4, 23, 18, 25, 0, 0, time.UTC), true},
		{"2012-04-23T18:25:43", time.Time{}, false},
		{"2012-04-23", time.Time{}, false},
		{"2012-04-23 18:25:43Z", time.Time{}, false},
		{"2012-04-23T25:00Z", time.Time{}, false},
		{"2012-02-30T10:00Z", time.Time{}, false},
	}
	for _, c := range cases {
		d, err := ParseDateTime(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ParseDateTime(%q) err = %v, want ok=%v", c.in, err, c.ok)
			continue
		}
		if c.ok && !d.Time().Equal(c.want) {
			t.Errorf("ParseDateTime(%q) = %v, want %v", c.in, d.Time(), c.want)
		}
		if c.ok && d.String() != c.in {
			t.Errorf("ParseDateTime(%q).String() = %q", c.in, d.String())
		}
	}
	if got := NewDateTime(time.Date(2026, 1, 2, 3, 4, 5, 999, time.FixedZone("x", 3600))).String(); got != "2026-01-02T02:04:05Z" {
		t.Errorf("NewDateTime = %q", got)
	}
	if d := NewDate(2024, 2, 29); !d.valid() || d.End() != time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC) {
		t.Errorf("NewDate(2024-02-29) = %v valid=%v", d.End(), d.valid())
	}
}
