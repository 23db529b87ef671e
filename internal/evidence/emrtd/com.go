package emrtd

import "slices"

// maxCOMSize bounds EF.COM; a full one (16 data groups) is under 40 bytes.
const maxCOMSize = 256

// dgTags maps data group numbers 1..16 to their LDS file tags (Doc 9303
// part 10, table 34). Index 0 is unused.
var dgTags = [17]byte{0, 0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70}

// COM is a parsed EF.COM. The chip does not sign it (the SOD does not hash
// it), so it only says what the chip claims to hold: the SOD's data group
// list is the authoritative one.
type COM struct {
	LDSVersion     string `json:"lds_version"`     // "0107" for LDS 1.7
	UnicodeVersion string `json:"unicode_version"` // "040000" for Unicode 4.0.0
	DataGroups     []int  `json:"data_groups"`     // ascending
}

// ParseCOM parses EF.COM: tag 0x60 holding, in this order, 5F01 (LDS
// version, four digits), 5F36 (Unicode version, six digits) and 5C (the
// data group tag list), with no other elements and no trailing bytes.
func ParseCOM(b []byte) (*COM, error) {
	if len(b) > maxCOMSize {
		return nil, errorf(ReasonCOMMalformed, "%d bytes exceeds the %d byte limit", len(b), maxCOMSize)
	}
	body, ok := readOnly(b, 0x60)
	if !ok {
		return nil, errorf(ReasonCOMMalformed, "not one tag 0x60 element")
	}
	var c COM
	var fields [3][]byte
	for i, tag := range []uint16{0x5F01, 0x5F36, 0x5C} {
		var e element
		if e, body, ok = readElement(body); !ok || e.tag != tag {
			return nil, errorf(ReasonCOMMalformed, "element %d is not tag %X", i+1, tag)
		}
		fields[i] = e.value
	}
	if len(body) != 0 {
		return nil, errorf(ReasonCOMMalformed, "trailing data after the tag list")
	}
	if len(fields[0]) != 4 || !digits(fields[0]) {
		return nil, errorf(ReasonCOMMalformed, "LDS version is not four digits")
	}
	if len(fields[1]) != 6 || !digits(fields[1]) {
		return nil, errorf(ReasonCOMMalformed, "Unicode version is not six digits")
	}
	c.LDSVersion, c.UnicodeVersion = string(fields[0]), string(fields[1])
	for _, t := range fields[2] {
		n := slices.Index(dgTags[:], t)
		if n < 1 {
			return nil, errorf(ReasonCOMMalformed, "tag list holds %02X, not a data group tag", t)
		}
		if slices.Contains(c.DataGroups, n) {
			return nil, errorf(ReasonCOMMalformed, "tag list names DG%d twice", n)
		}
		c.DataGroups = append(c.DataGroups, n)
	}
	if len(c.DataGroups) == 0 {
		return nil, errorf(ReasonCOMMalformed, "empty data group tag list")
	}
	slices.Sort(c.DataGroups)
	return &c, nil
}

func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
