package emrtd

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseCOMBSI(t *testing.T) {
	c, err := ParseCOM(readData(t, "bsi2008/EF_COM.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if c.LDSVersion != "0107" || c.UnicodeVersion != "040000" || !slices.Equal(c.DataGroups, []int{1, 2, 3, 14}) {
		t.Fatalf("got %+v", c)
	}
}

// com builds an EF.COM from its three element bodies.
func com(lds, uni, tags string) []byte {
	body := "\x5f\x01" + string(rune(len(lds))) + lds + "\x5f\x36" + string(rune(len(uni))) + uni + "\x5c" + string(rune(len(tags))) + tags
	return []byte("\x60" + string(rune(len(body))) + body)
}

func TestParseCOMTable(t *testing.T) {
	good := com("0107", "040000", "\x61\x75\x6f")
	cases := []struct {
		name string
		in   []byte
		want []int // nil: must be rejected
	}{
		{"all groups", com("0108", "040000", "\x61\x75\x63\x76\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f\x70"),
			[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
		{"unsorted list", com("0107", "040000", "\x6f\x61\x75"), []int{1, 2, 15}},
		{"good", good, []int{1, 2, 15}},
		{"trailing byte", append(bytes.Clone(good), 0), nil},
		{"truncated", good[:len(good)-1], nil},
		{"wrong outer tag", append([]byte{0x61}, good[1:]...), nil},
		{"outer length too long", append([]byte{0x60, byte(len(good))}, good[2:]...), nil},
		{"empty", nil, nil},
		{"tag only", []byte{0x60}, nil},
		{"no elements", []byte{0x60, 0x00}, nil},
		{"LDS version letters", com("01A7", "040000", "\x61"), nil},
		{"LDS version short", com("017", "040000", "\x61"), nil},
		{"Unicode version short", com("0107", "0400", "\x61"), nil},
		{"tag not a data group", com("0107", "040000", "\x61\x77"), nil},
		{"zero tag", com("0107", "040000", "\x61\x00"), nil},
		{"duplicate group", com("0107", "040000", "\x61\x75\x61"), nil},
		{"empty list", com("0107", "040000", ""), nil},
		{"elements swapped", []byte("\x60\x14\x5f\x36\x06040000\x5f\x01\x040107\x5c\x02\x61\x75"), nil},
		{"non-minimal length", []byte("\x60\x81\x14\x5f\x01\x040107\x5f\x36\x06040000\x5c\x02\x61\x75"), nil},
		{"minimal length control", []byte("\x60\x14\x5f\x01\x040107\x5f\x36\x06040000\x5c\x02\x61\x75"), []int{1, 2}},
		{"extra element", []byte("\x60\x17\x5f\x01\x040107\x5f\x36\x06040000\x5c\x02\x61\x75\x53\x01\x00"), nil},
		{"three-byte tag", []byte("\x60\x15\x5f\x81\x01\x040107\x5f\x36\x06040000\x5c\x02\x61\x75"), nil},
		{"oversized", append([]byte{0x60, 0x82, 0x01, 0x00}, make([]byte, 256)...), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCOM(tc.in)
			if tc.want == nil {
				var e *Error
				if !errors.As(err, &e) || e.Reason != ReasonCOMMalformed || c != nil {
					t.Fatalf("want %s, got %+v, %v", ReasonCOMMalformed, c, err)
				}
				return
			}
			if err != nil || !slices.Equal(c.DataGroups, tc.want) {
				t.Fatalf("got %+v, %v; want %v", c, err, tc.want)
			}
			if !strings.HasPrefix(c.LDSVersion, "01") {
				t.Fatalf("LDS version %q", c.LDSVersion)
			}
		})
	}
}
