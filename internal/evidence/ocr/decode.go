package ocr

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
)

// Default limits on an upload. A 40 MP RGBA image takes 160 MB while
// decoded, which is why the header is checked before decoding.
const (
	DefaultMaxBytes  = 15 << 20
	DefaultMaxPixels = 40_000_000
	maxSide          = 20_000
	minWidth         = 160
	minHeight        = 100
)

var (
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic = []byte{0xff, 0xd8, 0xff}
)

// decodeGray decodes a PNG or JPEG upload within the limits and returns it
// as grayscale, transparent parts taken as white paper. The format is chosen
// from the magic bytes, not from the global image registry, so a decoder
// registered elsewhere in the binary is never reached from here.
func decodeGray(data []byte, maxBytes int64, maxPixels int) (*image.Gray, error) {
	if int64(len(data)) > maxBytes {
		return nil, ErrTooLarge
	}
	var (
		config func(io.Reader) (image.Config, error)
		decode func(io.Reader) (image.Image, error)
	)
	switch {
	case bytes.HasPrefix(data, pngMagic):
		config, decode = png.DecodeConfig, png.Decode
	case bytes.HasPrefix(data, jpegMagic):
		config, decode = jpeg.DecodeConfig, jpeg.Decode
	default:
		return nil, ErrNotImage
	}
	cfg, err := config(bytes.NewReader(data))
	if err != nil {
		return nil, ErrDamaged.with(err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, ErrDamaged.with(fmt.Errorf("header size %dx%d", cfg.Width, cfg.Height))
	}
	if cfg.Width > maxSide || cfg.Height > maxSide || cfg.Width*cfg.Height > maxPixels {
		return nil, ErrTooLarge.with(fmt.Errorf("header size %dx%d", cfg.Width, cfg.Height))
	}
	if cfg.Width < minWidth || cfg.Height < minHeight {
		return nil, ErrTooSmall.with(fmt.Errorf("size %dx%d", cfg.Width, cfg.Height))
	}
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return nil, ErrDamaged.with(err)
	}
	return toGray(img), nil
}

// toGray converts with fast paths for what PNG and JPEG decoders return.
func toGray(img image.Image) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	g := image.NewGray(image.Rect(0, 0, w, h))
	switch src := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			copy(g.Pix[y*g.Stride:y*g.Stride+w], src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):])
		}
	case *image.YCbCr:
		// Luma is the gray value already.
		for y := 0; y < h; y++ {
			copy(g.Pix[y*g.Stride:y*g.Stride+w], src.Y[src.YOffset(b.Min.X, b.Min.Y+y):])
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			out := g.Pix[y*g.Stride:]
			for x := 0; x < w; x++ {
				p := row[4*x : 4*x+4]
				l := luma(uint32(p[0]), uint32(p[1]), uint32(p[2]))
				a := uint32(p[3])
				out[x] = uint8((l*a + 255*(255-a)) / 255)
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			row := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			out := g.Pix[y*g.Stride:]
			for x := 0; x < w; x++ {
				// Premultiplied: adding the missing alpha composites over white.
				p := row[4*x : 4*x+4]
				white := 255 - uint32(p[3])
				out[x] = uint8(luma(uint32(p[0])+white, uint32(p[1])+white, uint32(p[2])+white))
			}
		}
	default:
		for y := 0; y < h; y++ {
			out := g.Pix[y*g.Stride:]
			for x := 0; x < w; x++ {
				r, gg, bb, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				// Premultiplied: composite over white.
				r, gg, bb = r+0xffff-a, gg+0xffff-a, bb+0xffff-a
				out[x] = uint8(luma(r>>8, gg>>8, bb>>8))
			}
		}
	}
	return g
}

// luma is BT.601 on 8-bit channels; inputs above 255 are clamped.
func luma(r, g, b uint32) uint32 {
	l := (299*r + 587*g + 114*b + 500) / 1000
	if l > 255 {
		l = 255
	}
	return l
}
