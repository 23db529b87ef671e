package detect

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
)

// DecodeLimited decodes a JPEG or PNG image from r, refusing before any pixel
// is decoded an input of more than maxBytes bytes or a header that declares
// more than maxPixels pixels (image-too-large). Anything else that does not
// decode is image-malformed. Only JPEG and PNG are accepted, whatever other
// decoders the program has registered: the format is sniffed here and the
// decoder called directly.
func DecodeLimited(r io.Reader, maxBytes int64, maxPixels int) (image.Image, error) {
	if maxBytes <= 0 || maxPixels <= 0 {
		return nil, fail(ReasonTooLarge, "no limit set")
	}
	// Read one byte past the limit to tell "exactly at" from "over".
	buf, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fail(ReasonMalformed, "read failed")
	}
	if int64(len(buf)) > maxBytes {
		return nil, fail(ReasonTooLarge, fmt.Sprintf("more than %d bytes", maxBytes))
	}
	var (
		config func(io.Reader) (image.Config, error)
		decode func(io.Reader) (image.Image, error)
	)
	switch {
	case bytes.HasPrefix(buf, []byte("\xff\xd8")):
		config, decode = jpeg.DecodeConfig, jpeg.Decode
	case bytes.HasPrefix(buf, []byte("\x89PNG\r\n\x1a\n")):
		config, decode = png.DecodeConfig, png.Decode
	default:
		return nil, fail(ReasonMalformed, "not JPEG or PNG")
	}
	cfg, err := config(bytes.NewReader(buf))
	if err != nil {
		return nil, fail(ReasonMalformed, "bad header")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fail(ReasonMalformed, "empty image")
	}
	// Compare without multiplying: Width*Height can overflow int on 32-bit.
	if cfg.Width > maxPixels || cfg.Height > maxPixels/cfg.Width {
		return nil, fail(ReasonTooLarge, fmt.Sprintf("%dx%d is over %d pixels", cfg.Width, cfg.Height, maxPixels))
	}
	img, err := decode(bufio.NewReader(bytes.NewReader(buf)))
	if err != nil {
		return nil, fail(ReasonMalformed, "bad image data")
	}
	return img, nil
}
