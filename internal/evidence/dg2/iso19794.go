package dg2

import (
	"encoding/binary"
	"fmt"
)

// Gender is the ISO/IEC 19794-5 gender code.
type Gender uint8

const (
	GenderUnspecified Gender = 0
	GenderMale        Gender = 1
	GenderFemale      Gender = 2
	GenderUnknown     Gender = 0xFF
)

func (g Gender) String() string {
	switch g {
	case GenderUnspecified:
		return "unspecified"
	case GenderMale:
		return "male"
	case GenderFemale:
		return "female"
	}
	return "unknown"
}

// EyeColour is the ISO/IEC 19794-5 eye colour code (0 unspecified, 1 black,
// 2 blue, 3 brown, 4 grey, 5 green, 6 multi-coloured, 7 pink, 0xFF unknown).
type EyeColour uint8

var eyeNames = [...]string{"unspecified", "black", "blue", "brown", "grey", "green", "multi-coloured", "pink"}

func (c EyeColour) String() string {
	if int(c) < len(eyeNames) {
		return eyeNames[c]
	}
	return "unknown"
}

// HairColour is the ISO/IEC 19794-5 hair colour code (0 unspecified, 1 bald,
// 2 black, 3 blonde, 4 brown, 5 grey, 6 white, 7 red, 0xFF unknown).
type HairColour uint8

var hairNames = [...]string{"unspecified", "bald", "black", "blonde", "brown", "grey", "white", "red"}

func (c HairColour) String() string {
	if int(c) < len(hairNames) {
		return hairNames[c]
	}
	return "unknown"
}

// Pose holds the 19794-5 pose angle codes: 0 is unspecified, 1..181 encode
// -180..+180 degrees in 2-degree steps (91 is 0 degrees).
type Pose struct{ Yaw, Pitch, Roll uint8 }

// Degrees decodes one pose code; ok is false when unspecified or out of range.
func Degrees(code uint8) (deg int, ok bool) {
	if code == 0 || code > 181 {
		return 0, false
	}
	return (int(code) - 91) * 2, true
}

const (
	facHeaderLen  = 14 // "FAC\0", "010\0", record length (4), face count (2)
	facInfoLen    = 20 // block length (4) .. pose uncertainty (3)
	facFeatureLen = 8  // one feature point
	facImgInfoLen = 12 // image information before the image data
)

// parse19794 reads an ISO/IEC 19794-5:2005 facial record. The record length
// must equal the input: a record cut short or padded is refused.
func parse19794(b []byte) ([]Face, error) {
	if len(b) < facHeaderLen {
		return nil, perr(ErrTruncated, 0, "short 19794-5 general header")
	}
	if string(b[4:8]) != "010\x00" {
		return nil, perr(ErrUnsupported, 4, fmt.Sprintf("19794-5 version %q", b[4:7]))
	}
	if n := uint64(binary.BigEndian.Uint32(b[8:12])); n != uint64(len(b)) {
		kind := ErrMalformed
		if n > uint64(len(b)) {
			kind = ErrTruncated
		}
		return nil, perr(kind, 8, fmt.Sprintf("record length %d, have %d bytes", n, len(b)))
	}
	count := int(binary.BigEndian.Uint16(b[12:14]))
	if count == 0 {
		return nil, perr(ErrNoFace, 12, "face count is 0")
	}
	if count > MaxFaces {
		return nil, perr(ErrTooLarge, 12, fmt.Sprintf("%d faces", count))
	}
	out := make([]Face, 0, count)
	off := facHeaderLen
	for i := 0; i < count; i++ {
		f, next, err := parseFacialBlock(b, off)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
		off = next
	}
	if off != len(b) {
		return nil, perr(ErrMalformed, off, fmt.Sprintf("%d bytes after the last face", len(b)-off))
	}
	return out, nil
}

func parseFacialBlock(b []byte, off int) (Face, int, error) {
	if len(b)-off < facInfoLen {
		return Face{}, 0, perr(ErrTruncated, off, "short facial information block")
	}
	blockLen := uint64(binary.BigEndian.Uint32(b[off:]))
	if blockLen > uint64(len(b)-off) {
		return Face{}, 0, perr(ErrTruncated, off, fmt.Sprintf("facial block length %d, %d bytes remain", blockLen, len(b)-off))
	}
	blk := b[off : off+int(blockLen)]
	next := off + int(blockLen)
	if len(blk) < facInfoLen {
		return Face{}, 0, perr(ErrMalformed, off, "facial block shorter than its header")
	}
	points := int(binary.BigEndian.Uint16(blk[4:6]))
	imgOff := facInfoLen + points*facFeatureLen + facImgInfoLen
	if imgOff > len(blk) {
		return Face{}, 0, perr(ErrTruncated, off, fmt.Sprintf("%d feature points overrun the block", points))
	}
	f := Face{
		Encoding:    ISO19794,
		Gender:      Gender(blk[6]),
		EyeColour:   EyeColour(blk[7]),
		HairColour:  HairColour(blk[8]),
		FeatureMask: uint32(blk[9])<<16 | uint32(blk[10])<<8 | uint32(blk[11]),
		Expression:  binary.BigEndian.Uint16(blk[12:14]),
		Pose:        Pose{Yaw: blk[14], Pitch: blk[15], Roll: blk[16]},
	}
	info := blk[facInfoLen+points*facFeatureLen:]
	f.FaceImageType = int(info[0])
	switch info[1] {
	case 0:
		f.DeclaredType = ImageJPEG
	case 1:
		f.DeclaredType = ImageJPEG2000
	}
	f.DeclaredWidth = int(binary.BigEndian.Uint16(info[2:4]))
	f.DeclaredHeight = int(binary.BigEndian.Uint16(info[4:6]))
	if err := f.setImage(blk[imgOff:]); err != nil {
		return Face{}, 0, err
	}
	return f, next, nil
}
