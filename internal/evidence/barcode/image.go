package barcode

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
)

// Limits on the images handed to ZXingReader. A phone photo of a card is a few megabytes and a few
// tens of megapixels at most; the pixel cap matters more than the byte cap, since a small PNG can
// declare dimensions that would make the decoder allocate gigabytes.
const (
	MaxImageBytes  = 16 << 20
	MaxImagePixels = 48_000_000
)

// checkImage accepts PNG and JPEG only, by magic bytes, and reads the header (not the pixels) to
// enforce MaxImagePixels before any decoder sees the image.
func checkImage(img []byte) error {
	if len(img) > MaxImageBytes {
		return errf(ErrTooLarge, fmt.Sprintf("%d bytes, limit %d", len(img), MaxImageBytes))
	}
	var cfg image.Config
	var err error
	switch {
	case bytes.HasPrefix(img, []byte("\x89PNG\r\n\x1a\n")):
		cfg, err = png.DecodeConfig(bytes.NewReader(img))
	case bytes.HasPrefix(img, []byte{0xff, 0xd8, 0xff}):
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(img))
	default:
		return errf(ErrImageFormat, "")
	}
	if err != nil {
		return errf(ErrImageFormat, "unreadable header")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return errf(ErrImageFormat, "empty image")
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return errf(ErrTooLarge, fmt.Sprintf("%dx%d pixels, limit %d", cfg.Width, cfg.Height, MaxImagePixels))
	}
	return nil
}
