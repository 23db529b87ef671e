package barcode

import (
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boombuler/barcode/code128"
)

// TestByteExact sends every byte value, and the control characters of an AAMVA header, through
// both encoders and ZXingReader, and requires the same bytes back.
func TestByteExact(t *testing.T) {
	needTool(t, "ZXingReader")
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	tests := []struct {
		name string
		img  func(t testing.TB) []byte
		want []byte
	}{
		{"boombuler every byte 00..ff", func(t testing.TB) []byte { return encodePNG(t, renderGo(t, all, 3)) }, all},
		{"boombuler control characters", func(t testing.TB) []byte {
			return encodePNG(t, renderGo(t, []byte("@\n\x1e\rANSI \r\n\x1e\x00\x7f"), 3))
		}, []byte("@\n\x1e\rANSI \r\n\x1e\x00\x7f")},
		// The writer turns its UTF-8 argument into ISO 8859-1, with no ECI: Ü (C3 9C) is one byte DC.
		{"zxingwriter default is ISO 8859-1", func(t testing.TB) []byte {
			return renderZXing(t, []byte("@\n\x1e\rDCSMÜLLER\r"), false)
		}, []byte("@\n\x1e\rDCSM\xdcLLER\r")},
		// With -encoding UTF8 it adds ECI 26; the Bytes line leaves the ECI out and keeps UTF-8.
		{"zxingwriter UTF8 with ECI 26", func(t testing.TB) []byte {
			return renderZXing(t, []byte("@\n\x1e\rDCSMÜLLER\r"), true)
		}, []byte("@\n\x1e\rDCSMÜLLER\r")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := decode(t, tc.img(t))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("got  % x\nwant % x", got, tc.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	needTool(t, "ZXingReader")
	blank := image.NewGray(image.Rect(0, 0, 400, 200))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	one := renderGo(t, []byte("FIRST SYMBOL"), 3)
	two := renderGo(t, []byte("SECOND SYMBOL"), 3)
	pair := image.NewGray(image.Rect(0, 0, one.Bounds().Dx()+two.Bounds().Dx(), max(one.Bounds().Dy(), two.Bounds().Dy())))
	draw.Draw(pair, pair.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(pair, one.Bounds(), one, image.Point{}, draw.Src)
	draw.Draw(pair, two.Bounds().Add(image.Pt(one.Bounds().Dx(), 0)), two, image.Point{}, draw.Src)

	var gifImg bytes.Buffer
	if err := gif.Encode(&gifImg, blank, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		reader Reader
		img    []byte
		want   error
		reason string
	}{
		{"no barcode", Reader{}, encodePNG(t, blank), ErrNotFound, "barcode-not-found"},
		{"two PDF417 symbols", Reader{}, encodePNG(t, pair), ErrMultiple, "barcode-multiple"},
		{"GIF", Reader{}, gifImg.Bytes(), ErrImageFormat, "barcode-image-format"},
		{"not an image", Reader{}, []byte("@\n\x1e\rANSI 636000"), ErrImageFormat, "barcode-image-format"},
		{"truncated PNG", Reader{}, encodePNG(t, blank)[:20], ErrImageFormat, "barcode-image-format"},
		{"too many bytes", Reader{}, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, MaxImageBytes)...), ErrTooLarge, "barcode-image-too-large"},
		{"too many pixels", Reader{}, bombPNG(t, 10000, 10000), ErrTooLarge, "barcode-image-too-large"},
		{"tool missing", Reader{Path: "/nonexistent/ZXingReader"}, encodePNG(t, one), ErrToolMissing, "barcode-decoder-missing"},
		{"tool fails", Reader{Path: "false"}, encodePNG(t, one), ErrDecoder, "barcode-decoder-failed"},
		{"timeout", Reader{Path: "sleep-forever", Timeout: 50 * time.Millisecond}, encodePNG(t, one), ErrDecoder, "barcode-decoder-failed"},
	}
	dir := t.TempDir()
	script := dir + "/sleep-forever"
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec sleep 30\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	for i := range tests {
		if tests[i].reader.Path == "sleep-forever" {
			tests[i].reader.Path = script
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := tc.reader.DecodePDF417(context.Background(), tc.img)
			var e *Error
			if !errors.Is(err, tc.want) || !errors.As(err, &e) || e.Reason != tc.reason {
				t.Fatalf("err = %v, want %v (%s)", err, tc.want, tc.reason)
			}
			if time.Since(start) > 10*time.Second {
				t.Fatalf("took %v", time.Since(start))
			}
		})
	}
	_, err := Reader{Path: "/nonexistent/ZXingReader"}.DecodePDF417(context.Background(), encodePNG(t, one))
	if !strings.Contains(err.Error(), "install zxing-cpp-tools (Debian) — ZXingReader not found") {
		t.Fatalf("message %q does not say what to install", err)
	}
}

// TestOtherSymbologiesIgnored: a Code 128 beside the PDF417, as on the back of many cards, is not
// a second barcode.
func TestOtherSymbologiesIgnored(t *testing.T) {
	needTool(t, "ZXingReader")
	pdf := renderGo(t, []byte("THE PDF417"), 3)
	c, err := code128.Encode("1D BARCODE 123")
	if err != nil {
		t.Fatal(err)
	}
	w := max(pdf.Bounds().Dx(), 3*c.Bounds().Dx()+40)
	img := image.NewGray(image.Rect(0, 0, w, pdf.Bounds().Dy()+140))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(img, pdf.Bounds(), pdf, image.Point{}, draw.Src)
	for y := pdf.Bounds().Dy() + 20; y < pdf.Bounds().Dy()+120; y++ {
		for x := 0; x < c.Bounds().Dx(); x++ {
			if color.GrayModel.Convert(c.At(x, 0)).(color.Gray).Y < 0x80 {
				for d := range 3 {
					img.SetGray(20+3*x+d, y, color.Gray{})
				}
			}
		}
	}
	got, _, err := decode(t, encodePNG(t, img))
	if err != nil || string(got) != "THE PDF417" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// TestTempFileRemoved: the image, which shows personal data, does not outlive the call.
func TestTempFileRemoved(t *testing.T) {
	needTool(t, "ZXingReader")
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	for _, img := range [][]byte{encodePNG(t, renderGo(t, []byte("X"), 3)), encodePNG(t, image.NewGray(image.Rect(0, 0, 50, 50)))} {
		_, _ = DecodePDF417(context.Background(), img)
		left, err := os.ReadDir(dir)
		if err != nil || len(left) != 0 {
			t.Fatalf("left behind: %v %v", left, err)
		}
	}
}

// bombPNG is a valid PNG header declaring w x h pixels, with no pixel data behind it.
func bombPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	full := encodePNG(t, image.NewGray(image.Rect(0, 0, w, 1)))
	// Patch the height in IHDR and its CRC; DecodeConfig reads only IHDR.
	ihdr := full[8 : 8+25]
	ihdr[8+4], ihdr[8+5], ihdr[8+6], ihdr[8+7] = byte(h>>24), byte(h>>16), byte(h>>8), byte(h)
	crc := crc32.ChecksumIEEE(ihdr[4:21])
	ihdr[21], ihdr[22], ihdr[23], ihdr[24] = byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc)
	return full
}

// A caller that gives up (the request ended) stops the decoder.
func TestDecodeCancelled(t *testing.T) {
	needTool(t, "ZXingReader")
	script := filepath.Join(t.TempDir(), "slow")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec sleep 30\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := Reader{Path: script}.DecodePDF417(ctx, encodePNG(t, renderGo(t, []byte("X"), 3)))
	if !errors.Is(err, ErrDecoder) || !strings.Contains(err.Error(), "cancelled") || time.Since(start) > 10*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
}
