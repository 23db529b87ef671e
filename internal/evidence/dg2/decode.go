package dg2

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"sync"
	"time"
)

// Decoding errors. Every error from DecodeImage wraps one of these.
var (
	// ErrDecoderMissing means opj_decompress could not be run. JPEG 2000
	// faces need it; install Debian's libopenjp2-tools.
	ErrDecoderMissing = errors.New("opj_decompress not found: install libopenjp2-tools")
	// ErrDecode means the image is damaged, too large, or the decoder failed
	// or ran out of time on it.
	ErrDecode = errors.New("image does not decode")
)

// Defaults for Decoder's zero fields.
const (
	DefaultDecodeTimeout = 10 * time.Second
	// DefaultMaxPixels is far above any ICAO portrait (about 0.3 MP) and
	// bounds decoder memory to some hundreds of megabytes.
	DefaultMaxPixels = 16 << 20
	// DefaultMaxConcurrent bounds simultaneous opj_decompress processes.
	DefaultMaxConcurrent = 2
	defaultOpjDecompress = "opj_decompress"
)

// Decoder turns a Face's image bytes into pixels: JPEG in process with
// image/jpeg, JPEG 2000 with OpenJPEG's opj_decompress run as a separate
// process (so its C parser never shares memory with the server). The zero
// value is ready to use; do not copy it after first use.
type Decoder struct {
	OpjDecompress string        // executable; default "opj_decompress" from PATH
	Timeout       time.Duration // per JPEG 2000 decode; default DefaultDecodeTimeout
	MaxPixels     int           // width x height limit; default DefaultMaxPixels
	MaxConcurrent int           // opj_decompress runs at once; default DefaultMaxConcurrent
	TempDir       string        // parent of the private work directory; default os.TempDir()

	once sync.Once
	sem  chan struct{}
}

// DecodeImage decodes f's image with a Decoder holding the defaults. Each
// call gets its own Decoder, so nothing bounds concurrent calls: a server
// should keep one Decoder and call its Decode instead.
func DecodeImage(ctx context.Context, f *Face) (image.Image, error) {
	return new(Decoder).Decode(ctx, f)
}

// Decode decodes f's image. The type is taken from the image's magic bytes,
// not from f's fields, so a Face built by hand cannot steer the decoder.
// The decoded size must match the size the image header states.
func (d *Decoder) Decode(ctx context.Context, f *Face) (image.Image, error) {
	if f == nil || len(f.Image) == 0 {
		return nil, fmt.Errorf("dg2: %w: no image", ErrDecode)
	}
	if len(f.Image) > MaxInputLen {
		return nil, fmt.Errorf("dg2: %w: image of %d bytes, limit %d", ErrDecode, len(f.Image), MaxInputLen)
	}
	switch sniff(f.Image) {
	case ImageJPEG:
		return d.decodeJPEG(f.Image)
	case ImageJPEG2000:
		return d.decodeJPEG2000(ctx, f.Image)
	}
	return nil, fmt.Errorf("dg2: %w: neither JPEG nor JPEG 2000", ErrDecode)
}

func (d *Decoder) maxPixels() int {
	if d.MaxPixels > 0 {
		return d.MaxPixels
	}
	return DefaultMaxPixels
}

// checkSize refuses sizes over the pixel limit before anything is allocated.
func (d *Decoder) checkSize(w, h int) error {
	if w <= 0 || h <= 0 || w > maxSide || h > maxSide || w*h > d.maxPixels() {
		return fmt.Errorf("dg2: %w: image of %dx%d pixels, limit %d", ErrDecode, w, h, d.maxPixels())
	}
	return nil
}

// decodeJPEG reads the header first: image/jpeg would otherwise allocate
// whatever the frame header asks for.
func (d *Decoder) decodeJPEG(b []byte) (image.Image, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("dg2: %w: JPEG header: %v", ErrDecode, err)
	}
	if err := d.checkSize(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("dg2: %w: JPEG: %v", ErrDecode, err)
	}
	return img, nil
}

func (d *Decoder) acquire(ctx context.Context) error {
	d.once.Do(func() {
		n := d.MaxConcurrent
		if n <= 0 {
			n = DefaultMaxConcurrent
		}
		d.sem = make(chan struct{}, n)
	})
	select {
	case d.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("dg2: %w: waiting for a decoder: %v", ErrDecode, ctx.Err())
	}
}

func (d *Decoder) release() { <-d.sem }
