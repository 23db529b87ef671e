package email

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

func TestNewCodeRejectsBiasedSamples(t *testing.T) {
	if sampleLimit%codeSpace != 0 || sampleLimit > 1<<32 || (1<<32)-sampleLimit >= codeSpace {
		t.Fatalf("sampleLimit %d is not the largest multiple of %d below 2^32", sampleLimit, codeSpace)
	}
	tests := []struct {
		name    string
		input   []byte
		want    string
		wantErr bool
	}{
		{"first sample used", []byte{0, 0, 0, 7}, "000007", false},
		{"largest accepted", be(sampleLimit - 1), "999999", false},
		{"out of range redrawn", []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0x30, 0x39}, "012345", false},
		{"limit itself redrawn", append(be(sampleLimit), 0, 0, 0, 1), "000001", false},
		{"short read", []byte{1, 2}, "", true},
		{"always out of range", bytes.Repeat([]byte{0xff}, 4*maxDraws), "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := newCode(bytes.NewReader(tc.input))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("newCode = %q, %v; want %q, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func be(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

// TestNewCodeDistribution checks that every digit of the code is uniform,
// from a fixed seed so that the test is deterministic.
func TestNewCodeDistribution(t *testing.T) {
	r := rand.NewChaCha8([32]byte{1})
	const n = 200_000
	var counts [CodeLen][10]int
	for range n {
		c, err := newCode(r)
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != CodeLen {
			t.Fatalf("code %q has %d digits", c, len(c))
		}
		for i := range CodeLen {
			counts[i][c[i]-'0']++
		}
	}
	for pos, digits := range counts {
		for d, got := range digits {
			if got < n/10*95/100 || got > n/10*105/100 {
				t.Errorf("digit %d at position %d drawn %d times of %d", d, pos, got, n)
			}
		}
	}
}

var parseCodeCases = []struct {
	in   string
	want string // "" means malformed
}{
	{"123456", "123456"},
	{"000000", "000000"},
	{" 123 456 ", "123456"},
	{"123-456", "123456"},
	{"1\t2 3-4 5 6", "123456"},
	{"12345", ""},
	{"1234567", ""},
	{"12345a", ""},
	{"", ""},
	{"１２３４５６", ""}, // full-width digits are not ASCII digits
	{"123456\n", ""},
	{"--------------------------123456", ""},
	{"-123456-", "123456"},
}

func TestParseCode(t *testing.T) {
	for _, tc := range parseCodeCases {
		got, err := ParseCode(tc.in)
		if tc.want == "" {
			if ReasonOf(err) != ReasonCodeMalformed {
				t.Errorf("ParseCode(%q) = %q, %v; want code-malformed", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseCode(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseCode(f *testing.F) {
	for _, tc := range parseCodeCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseCode(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason != ReasonCodeMalformed || got != "" {
				t.Fatalf("ParseCode(%q) = %q, %v", s, got, err)
			}
			return
		}
		if len(got) != CodeLen || bytes.IndexFunc([]byte(got), func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			t.Fatalf("ParseCode(%q) = %q: not %d digits", s, got, CodeLen)
		}
		if again, err := ParseCode(got); err != nil || again != got {
			t.Fatalf("ParseCode not idempotent on %q: %q, %v", got, again, err)
		}
	})
}

func TestDigestBinding(t *testing.T) {
	base := digest(testKey, "v1", "a@corp.example", "123456")
	tests := []struct {
		name string
		d    []byte
	}{
		{"other code", digest(testKey, "v1", "a@corp.example", "123457")},
		{"other verification", digest(testKey, "v2", "a@corp.example", "123456")},
		{"other address", digest(testKey, "v1", "b@corp.example", "123456")},
		{"other key", digest([]byte("another key of thirty-two bytes!"), "v1", "a@corp.example", "123456")},
		{"shifted field boundary", digest(testKey, "v1a", "@corp.example", "123456")},
	}
	if !digestEqual(base, digest(testKey, "v1", "a@corp.example", "123456")) {
		t.Fatal("equal inputs give different digests")
	}
	for _, tc := range tests {
		if digestEqual(base, tc.d) {
			t.Errorf("%s: digest collides", tc.name)
		}
	}
	if bytes.Contains(base, []byte("123456")) {
		t.Error("digest contains the code")
	}
}
