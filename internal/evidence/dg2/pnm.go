package dg2

import (
	"fmt"
	"image"
	"strconv"
)

// readPNM reads the 8-bit netpbm image opj_decompress writes for a .pnm
// output: P5 (grey), P6 (RGB) or P7 (PAM, with DEPTH 2 or 4 for an alpha
// channel). It is used instead of PNG because opj_decompress spends about
// 25 times longer compressing a PNG than decoding the JPEG 2000 itself. The
// file comes from a process that parsed outside input, so it is read as
// untrusted: the header must match the size the codestream announced and
// the pixel data must fill it exactly.
func readPNM(data []byte, w, h int) (image.Image, error) {
	bad := func(why string) (image.Image, error) {
		return nil, fmt.Errorf("dg2: %w: decoder output: %s", ErrDecode, why)
	}
	p := &pnmReader{b: data}
	magic, ok := p.token()
	if !ok {
		return bad("no netpbm header")
	}
	var width, height, depth, maxval int
	switch magic {
	case "P5", "P6":
		depth = 1
		if magic == "P6" {
			depth = 3
		}
		for _, v := range []*int{&width, &height, &maxval} {
			if *v, ok = p.int(); !ok {
				return bad("bad netpbm header")
			}
		}
	case "P7":
		for n := 0; ; n++ {
			key, ok := p.token()
			if !ok || n == 8 {
				return bad("bad PAM header")
			}
			if key == "ENDHDR" {
				break
			}
			var v *int
			switch key {
			case "WIDTH":
				v = &width
			case "HEIGHT":
				v = &height
			case "DEPTH":
				v = &depth
			case "MAXVAL":
				v = &maxval
			case "TUPLTYPE": // implied by DEPTH for what opj_decompress writes
				if _, ok := p.token(); !ok {
					return bad("bad PAM header")
				}
				continue
			default:
				return bad("unknown PAM header field")
			}
			if *v, ok = p.int(); !ok {
				return bad("bad PAM header")
			}
		}
	default:
		return bad("not a netpbm P5, P6 or P7 image")
	}
	// Exactly one whitespace byte separates the header from the pixels.
	if p.off >= len(data) || !isSpace(data[p.off]) {
		return bad("no separator after the header")
	}
	pix := data[p.off+1:]
	switch {
	case width != w || height != h:
		return bad(fmt.Sprintf("decoded %dx%d, header says %dx%d", width, height, w, h))
	case maxval != 255:
		return bad(fmt.Sprintf("maxval %d, want 255", maxval))
	case depth < 1 || depth > 4:
		return bad(fmt.Sprintf("depth %d", depth))
	case len(pix) != w*h*depth:
		return bad(fmt.Sprintf("%d bytes of pixels, want %d", len(pix), w*h*depth))
	}
	r := image.Rect(0, 0, w, h)
	if depth == 1 {
		return &image.Gray{Pix: pix, Stride: w, Rect: r}, nil
	}
	img := image.NewNRGBA(r)
	for i, o := 0, 0; i < len(pix); i, o = i+depth, o+4 {
		switch depth {
		case 2: // grey, alpha
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = pix[i], pix[i], pix[i], pix[i+1]
		case 3:
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = pix[i], pix[i+1], pix[i+2], 0xFF
		case 4:
			copy(img.Pix[o:o+4], pix[i:i+4])
		}
	}
	return img, nil
}

// pnmReader reads whitespace-separated header tokens, skipping # comments.
type pnmReader struct {
	b   []byte
	off int
}

const maxPNMToken = 32

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func (p *pnmReader) token() (string, bool) {
	for p.off < len(p.b) {
		switch c := p.b[p.off]; {
		case isSpace(c):
			p.off++
		case c == '#':
			for p.off < len(p.b) && p.b[p.off] != '\n' {
				p.off++
			}
		default:
			start := p.off
			for p.off < len(p.b) && !isSpace(p.b[p.off]) && p.b[p.off] != '#' {
				if p.off-start == maxPNMToken {
					return "", false
				}
				p.off++
			}
			return string(p.b[start:p.off]), true
		}
	}
	return "", false
}

// int reads a decimal token of at most five digits (sides stop at 65535).
func (p *pnmReader) int() (int, bool) {
	t, ok := p.token()
	if !ok || len(t) > 5 {
		return 0, false
	}
	for _, c := range t {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(t)
	return n, err == nil
}
