package dg2

import (
	"errors"
	"fmt"
)

// Limits on outside input; a real DG2 is tens of kilobytes with one face.
const (
	MaxInputLen = 4 << 20 // bytes accepted by Parse and Faces
	MaxFaces    = 16      // face images per data group
)

// Sentinel errors; every error from Parse wraps one of them in a *ParseError.
var (
	ErrTruncated   = errors.New("truncated")
	ErrMalformed   = errors.New("malformed")
	ErrUnsupported = errors.New("unsupported")
	ErrTooLarge    = errors.New("too large")
	ErrNoFace      = errors.New("no face image")
	ErrImage       = errors.New("unrecognised image")
)

// ParseError says where and why the input was refused. Offset is relative to
// the innermost buffer being read, for debugging only.
type ParseError struct {
	Offset int
	Reason string
	Err    error // one of the sentinels above
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("dg2: %v at offset %d: %s", e.Err, e.Offset, e.Reason)
}

func (e *ParseError) Unwrap() error { return e.Err }

func perr(kind error, off int, reason string) error {
	return &ParseError{Offset: off, Reason: reason, Err: kind}
}

// Encoding is the biometric data block format.
type Encoding int

const (
	ISO19794 Encoding = iota + 1 // ISO/IEC 19794-5:2005 binary record
	ISO39794                     // ISO/IEC 39794-5 ASN.1 record
)

func (e Encoding) String() string {
	switch e {
	case ISO19794:
		return "ISO/IEC 19794-5"
	case ISO39794:
		return "ISO/IEC 39794-5"
	}
	return "unknown"
}

// ImageType is the compression of the face image.
type ImageType int

const (
	ImageUnknown ImageType = iota
	ImageJPEG
	ImageJPEG2000
)

func (t ImageType) String() string {
	switch t {
	case ImageJPEG:
		return "jpeg"
	case ImageJPEG2000:
		return "jpeg2000"
	}
	return "unknown"
}

// Face is one face image with what its record says about it. Image is a copy,
// not an alias of the input. Fields a record does not carry stay zero.
type Face struct {
	Encoding Encoding
	Image    []byte
	// ImageType comes from the image's magic bytes; trust it over DeclaredType.
	ImageType    ImageType
	DeclaredType ImageType
	// Width and Height come from the image header (SOF, ihdr or SIZ).
	Width, Height int
	// DeclaredWidth and DeclaredHeight are the record's fields (0 if absent).
	DeclaredWidth, DeclaredHeight int

	// ISO/IEC 19794-5 facial information (left zero for 39794-5 records).
	Gender      Gender
	EyeColour   EyeColour
	HairColour  HairColour
	FeatureMask uint32 // 24-bit property mask (glasses, beard, ...)
	Expression  uint16
	Pose        Pose
	// FaceImageType is 19794-5's face image type (0 basic, 1 full frontal,
	// 2 token frontal) or 39794-5's faceImageKind2D code; -1 when absent.
	FaceImageType int
}

// Parse returns the first face image of a DG2 (wrapped or bare record).
func Parse(b []byte) (*Face, error) {
	fs, err := Faces(b)
	if err != nil {
		return nil, err
	}
	return &fs[0], nil
}

// Faces returns every face image of a DG2, a bare ISO/IEC 19794-5 record or a
// bare ISO/IEC 39794-5 face image data block, in order. It never returns an
// empty slice without an error.
func Faces(b []byte) ([]Face, error) {
	if len(b) > MaxInputLen {
		return nil, perr(ErrTooLarge, 0, fmt.Sprintf("%d bytes, limit %d", len(b), MaxInputLen))
	}
	if len(b) == 0 {
		return nil, perr(ErrTruncated, 0, "empty input")
	}
	var (
		fs  []Face
		err error
	)
	switch {
	case b[0] == 0x75:
		fs, err = parseDG2(b)
	default:
		fs, err = parseRecord(b)
	}
	if err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, perr(ErrNoFace, 0, "record holds no face image")
	}
	return fs, nil
}

// parseRecord dispatches a bare biometric data block on its first bytes.
func parseRecord(b []byte) ([]Face, error) {
	if len(b) >= 4 && string(b[:4]) == "FAC\x00" {
		return parse19794(b)
	}
	if b[0] == 0xA1 || b[0] == 0x65 {
		return parse39794(b)
	}
	if len(b) < 4 && string(b) == "FAC\x00"[:len(b)] {
		return nil, perr(ErrTruncated, 0, "truncated format identifier")
	}
	return nil, perr(ErrUnsupported, 0, "neither a DG2, a 19794-5 nor a 39794-5 record")
}

// parseDG2 unwraps 0x75 > 0x7F61 > (0x02, 0x7F60...) and parses each block.
func parseDG2(b []byte) ([]Face, error) {
	outer, err := only(b, 0x75)
	if err != nil {
		return nil, err
	}
	group, err := only(outer.value, 0x7F61)
	if err != nil {
		return nil, err
	}
	elems, err := children(group.value, MaxFaces+1)
	if err != nil {
		return nil, err
	}
	if len(elems) == 0 || elems[0].tag != 0x02 {
		return nil, perr(ErrMalformed, 0, "biometric group template lacks its count (0x02)")
	}
	count, err := uintValue(elems[0])
	if err != nil {
		return nil, err
	}
	bits := elems[1:]
	if count != len(bits) {
		return nil, perr(ErrMalformed, 0, fmt.Sprintf("count says %d templates, found %d", count, len(bits)))
	}
	var out []Face
	for _, bit := range bits {
		if bit.tag != 0x7F60 {
			return nil, perr(ErrMalformed, bit.off, fmt.Sprintf("tag %X in group, want 7F60", bit.tag))
		}
		fs, err := parseBIT(bit.value)
		if err != nil {
			return nil, err
		}
		if len(out)+len(fs) > MaxFaces {
			return nil, perr(ErrTooLarge, bit.off, "too many faces")
		}
		out = append(out, fs...)
	}
	return out, nil
}

// parseBIT reads a biometric information template: header 0xA1 (kept unread:
// its format owner/type fields add nothing the block does not say) and data.
func parseBIT(v []byte) ([]Face, error) {
	elems, err := children(v, 4)
	if err != nil {
		return nil, err
	}
	if _, ok := find(elems, 0xA1); !ok {
		return nil, perr(ErrMalformed, 0, "biometric template lacks its header (A1)")
	}
	data, ok := find(elems, 0x5F2E)
	if !ok {
		data, ok = find(elems, 0x7F2E)
	}
	if !ok {
		return nil, perr(ErrUnsupported, 0, "biometric template lacks plain data (5F2E/7F2E); enciphered data is not supported")
	}
	if len(data.value) == 0 {
		return nil, perr(ErrTruncated, data.off, "empty biometric data block")
	}
	return parseRecord(data.value)
}
