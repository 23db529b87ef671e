package face

import (
	"errors"
	"os"
	"testing"

	"github.com/vigil-gw/vigil/internal/evidence/face/detect"
	"github.com/vigil-gw/vigil/internal/evidence/face/facenet"
)

// FuzzDescribe runs the whole decode-detect-align-describe path on any
// bytes under small limits: it must return a probe or an error, never
// panic, and a probe's descriptor must be finite.
func FuzzDescribe(f *testing.F) {
	for _, p := range []string{facesDir + "/amy/amy1.png", "../../../../shared/testdata/emrtd/dg2/ISO19794_5_Test1_Face.jpg"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte{0xFF, 0xD8, 0xFF})
	n, err := facenet.LoadEmbedded()
	if err != nil {
		f.Fatal(err)
	}
	m, err := New(Config{Net: n, MaxBytes: 1 << 20, MaxPixels: 1 << 20})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, img []byte) {
		p, err := m.Describe(img)
		if err != nil {
			var de *detect.Error
			var fe *facenet.Error
			if !errors.As(err, &de) && !errors.As(err, &fe) {
				t.Fatalf("error of unexpected type %T: %v", err, err)
			}
			return
		}
		for _, v := range p.Descriptor {
			if v != v || v > 1e6 || v < -1e6 {
				t.Fatalf("descriptor value %v", v)
			}
		}
	})
}
