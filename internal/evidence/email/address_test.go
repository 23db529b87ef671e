package email

import (
	"strings"
	"testing"
)

var addressCases = []struct {
	in   string
	want string // "" means address-invalid
}{
	{"alice@corp.example", "alice@corp.example"},
	{"  Alice.Smith@Corp.EXAMPLE \t", "Alice.Smith@corp.example"},
	{"a+tag@sub.corp-1.example", "a+tag@sub.corp-1.example"},
	{"o'brien@corp.example", "o'brien@corp.example"},
	{"", ""},
	{"alice", ""},
	{"@corp.example", ""},
	{"alice@", ""},
	{"alice@localhost", ""},
	{"alice@corp..example", ""},
	{"alice@-corp.example", ""},
	{"alice@corp.example.", ""},
	{"alice@192.168.0.1", ""},
	{"alice@[192.168.0.1]", ""},
	{"Alice <alice@corp.example>", ""},
	{"<alice@corp.example>", ""},
	{"alice@corp.example (Alice)", ""},
	{`"alice"@corp.example`, ""},
	{`"al ice"@corp.example`, ""},
	{"alice@corp.example, bob@corp.example", ""},
	{"alice@corp.example\r\nBcc: eve@evil.example", ""},
	{"alice\n@corp.example", ""},
	{"al ice@corp.example", ""},
	{"alicé@corp.example", ""},
	{"alice@corpé.example", ""},
	{"alice@corp_1.example", ""},
	{strings.Repeat("a", 65) + "@corp.example", ""},
	{"a@" + strings.Repeat("b", 64) + ".example", ""},
	{"a@" + strings.Repeat("b.", 130) + "example", ""},
	{strings.Repeat(" ", 1000) + "a@corp.example", ""},
}

func TestNormalizeAddress(t *testing.T) {
	for _, tc := range addressCases {
		got, err := NormalizeAddress(tc.in)
		if tc.want == "" {
			if ReasonOf(err) != ReasonAddressInvalid || got != "" {
				t.Errorf("NormalizeAddress(%q) = %q, %v; want address-invalid", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("NormalizeAddress(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestLimitKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"alice@corp.example", "alice@corp.example"},
		{"Alice@corp.example", "alice@corp.example"},
		{"Alice+otp@corp.example", "alice@corp.example"},
		{"+x@corp.example", "+x@corp.example"},
	}
	for _, tc := range tests {
		if got := limitKey(tc.in); got != tc.want {
			t.Errorf("limitKey(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzNormalizeAddress(f *testing.F) {
	for _, tc := range addressCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizeAddress(s)
		if err != nil {
			if ReasonOf(err) != ReasonAddressInvalid || got != "" {
				t.Fatalf("NormalizeAddress(%q) = %q, %v", s, got, err)
			}
			return
		}
		if len(got) > maxAddressLen || strings.ContainsAny(got, " \t\r\n<>\"(),") {
			t.Fatalf("NormalizeAddress(%q) = %q: not a bare address", s, got)
		}
		d := domainOf(got)
		if d != strings.ToLower(d) || !validDomain(d) {
			t.Fatalf("NormalizeAddress(%q) = %q: bad domain", s, got)
		}
		if again, err := NormalizeAddress(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q, %v", got, again, err)
		}
		if k := limitKey(got); !strings.HasSuffix(k, "@"+d) {
			t.Fatalf("limitKey(%q) = %q", got, k)
		}
	})
}
