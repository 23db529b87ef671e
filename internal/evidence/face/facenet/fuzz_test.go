package facenet

import (
	"encoding/json"
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"

	faceapimodels "github.com/vigil-gw/vigil/models/face-api"
)

// FuzzLoadFS feeds arbitrary manifests and weight files to the loader: it
// must return a *facenet.Error or a net, never panic or allocate without
// bound. Seeds: the real manifest (with a short weight file, as a full one
// makes each run too slow to fuzz) and small manifests covering each dtype.
func FuzzLoadFS(f *testing.F) {
	shipped, err := fs.ReadFile(faceapimodels.FS, faceapimodels.ManifestName)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(shipped, []byte{1, 2, 3, 4})
	f.Add(shipped, []byte{})
	small := func(ws ...map[string]any) []byte {
		b, err := json.Marshal([]map[string]any{{"paths": []string{binName}, "weights": ws}})
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	q := func(dtype string) map[string]any {
		return map[string]any{"dtype": dtype, "scale": 0.5, "min": -1}
	}
	f.Add(small(map[string]any{"name": "fc", "shape": []int{2, 2}, "dtype": "float32", "quantization": q("uint8")}), []byte{0, 1, 2, 255})
	f.Add(small(map[string]any{"name": "fc", "shape": []int{2}, "dtype": "float32", "quantization": q("uint16")}), []byte{0, 1, 2, 255})
	f.Add(small(map[string]any{"name": "fc", "shape": []int{1}, "dtype": "float32"}), []byte{0, 0, 128, 63})
	f.Add(small(
		map[string]any{"name": "conv32_down/conv/bias", "shape": []int{32}, "dtype": "float32", "quantization": q("uint8")},
		map[string]any{"name": "fc", "shape": []int{1}, "dtype": "float32"},
	), make([]byte, 36))
	f.Fuzz(func(t *testing.T, manifest, bin []byte) {
		fsys := fstest.MapFS{
			faceapimodels.ManifestName: {Data: manifest},
			binName:                    {Data: bin},
		}
		n, err := LoadFS(fsys, faceapimodels.ManifestName)
		if err == nil {
			if n == nil {
				t.Fatal("nil net without an error")
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Reason == "" {
			t.Fatalf("error %v is not a *facenet.Error with a reason", err)
		}
	})
}
