package dg2

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

var (
	jp2Signature = []byte{0, 0, 0, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A}
	j2kCodestart = []byte{0xFF, 0x4F, 0xFF, 0x51} // SOC then SIZ
)

// maxSide bounds image sides; 39794-5 ImageSize and JPEG both stop at 65535.
const maxSide = 65535

// sniff reports the image type by magic bytes alone.
func sniff(img []byte) ImageType {
	switch {
	case len(img) >= 3 && img[0] == 0xFF && img[1] == 0xD8 && img[2] == 0xFF:
		return ImageJPEG
	case bytes.HasPrefix(img, jp2Signature), bytes.HasPrefix(img, j2kCodestart):
		return ImageJPEG2000
	}
	return ImageUnknown
}

// setImage copies the image into f and fills ImageType, Width and Height from
// the image header. An image whose type or size cannot be read is refused:
// the caller could not show or compare it anyway.
func (f *Face) setImage(img []byte) error {
	if len(img) == 0 {
		return perr(ErrNoFace, 0, "empty image data")
	}
	var w, h int
	var err error
	switch f.ImageType = sniff(img); f.ImageType {
	case ImageJPEG:
		w, h, err = jpegSize(img)
	case ImageJPEG2000:
		w, h, err = jp2Size(img)
	default:
		return perr(ErrImage, 0, "image is neither JPEG nor JPEG 2000")
	}
	if err != nil {
		return err
	}
	if w <= 0 || h <= 0 || w > maxSide || h > maxSide {
		return perr(ErrImage, 0, fmt.Sprintf("image size %dx%d", w, h))
	}
	f.Width, f.Height = w, h
	f.Image = bytes.Clone(img)
	return nil
}

// jpegSize walks the marker segments up to the first SOFn frame header.
func jpegSize(b []byte) (int, int, error) {
	off := 2
	for {
		if len(b)-off < 2 {
			return 0, 0, perr(ErrImage, off, "JPEG ends before its frame header")
		}
		if b[off] != 0xFF {
			return 0, 0, perr(ErrImage, off, "JPEG marker expected")
		}
		m := b[off+1]
		off += 2
		switch {
		case m == 0xFF: // fill byte: the marker follows
			off--
			continue
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7): // no length
			continue
		case m == 0xD9 || m == 0xDA:
			return 0, 0, perr(ErrImage, off, "JPEG has no frame header before scan data")
		}
		if len(b)-off < 2 {
			return 0, 0, perr(ErrImage, off, "truncated JPEG segment length")
		}
		l := int(binary.BigEndian.Uint16(b[off:]))
		if l < 2 || l > len(b)-off {
			return 0, 0, perr(ErrImage, off, "JPEG segment overruns the image")
		}
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			if l < 7 {
				return 0, 0, perr(ErrImage, off, "short JPEG frame header")
			}
			h := int(binary.BigEndian.Uint16(b[off+3:]))
			w := int(binary.BigEndian.Uint16(b[off+5:]))
			return w, h, nil
		}
		off += l
	}
}

// jp2Size reads ihdr inside the jp2h box, or SIZ of a bare codestream.
func jp2Size(b []byte) (int, int, error) {
	if bytes.HasPrefix(b, j2kCodestart) {
		// SIZ: Lsiz(2) Rsiz(2) Xsiz(4) Ysiz(4) XOsiz(4) YOsiz(4)
		if len(b) < 4+20 {
			return 0, 0, perr(ErrImage, 4, "truncated SIZ segment")
		}
		s := b[4:]
		x, y := binary.BigEndian.Uint32(s[4:]), binary.BigEndian.Uint32(s[8:])
		xo, yo := binary.BigEndian.Uint32(s[12:]), binary.BigEndian.Uint32(s[16:])
		if xo >= x || yo >= y {
			return 0, 0, perr(ErrImage, 4, "SIZ offsets exceed the grid")
		}
		return clampSide(x - xo), clampSide(y - yo), nil
	}
	jp2h, err := jp2Box(b, "jp2h")
	if err != nil {
		return 0, 0, err
	}
	ihdr, err := jp2Box(jp2h, "ihdr")
	if err != nil {
		return 0, 0, err
	}
	if len(ihdr) < 8 {
		return 0, 0, perr(ErrImage, 0, "short ihdr box")
	}
	h, w := binary.BigEndian.Uint32(ihdr), binary.BigEndian.Uint32(ihdr[4:])
	return clampSide(w), clampSide(h), nil
}

// clampSide maps sizes beyond maxSide to a value setImage refuses, so a
// 32-bit int never wraps.
func clampSide(v uint32) int {
	if v > maxSide {
		return maxSide + 1
	}
	return int(v)
}

// jp2Box returns the payload of the first box of the type among b's boxes.
func jp2Box(b []byte, typ string) ([]byte, error) {
	for off := 0; off < len(b); {
		if len(b)-off < 8 {
			return nil, perr(ErrImage, off, "truncated JPEG 2000 box header")
		}
		l := uint64(binary.BigEndian.Uint32(b[off:]))
		hdr := 8
		switch l {
		case 0: // box runs to the end
			l = uint64(len(b) - off)
		case 1: // 64-bit XLBox follows
			if len(b)-off < 16 {
				return nil, perr(ErrImage, off, "truncated JPEG 2000 XLBox")
			}
			l, hdr = binary.BigEndian.Uint64(b[off+8:]), 16
		}
		if l < uint64(hdr) || l > uint64(len(b)-off) {
			return nil, perr(ErrImage, off, "JPEG 2000 box overruns the image")
		}
		if string(b[off+4:off+8]) == typ {
			return b[off+hdr : off+int(l)], nil
		}
		off += int(l)
	}
	return nil, perr(ErrImage, 0, fmt.Sprintf("JPEG 2000 %s box missing", typ))
}
