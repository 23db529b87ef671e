package barcode

import (
	"errors"
	"image"
	"testing"
)

// FuzzCheckImage: image headers are outside input. checkImage must not panic, and must answer
// with an *Error of a kind it documents.
func FuzzCheckImage(f *testing.F) {
	small := image.NewGray(image.Rect(0, 0, 8, 4))
	f.Add(encodePNG(f, small))
	f.Add(encodeJPEG(f, small, 90))
	f.Add(bombPNG(f, 10000, 10000))
	f.Add([]byte("GIF89a"))
	f.Fuzz(func(t *testing.T, img []byte) {
		err := checkImage(img)
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) || (e.Kind != ErrImageFormat && e.Kind != ErrTooLarge) {
			t.Fatalf("error %v", err)
		}
	})
}
