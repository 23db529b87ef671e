package facenet

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	faceapimodels "github.com/vigil-gw/vigil/models/face-api"
)

const binName = "face_recognition_model.bin"

// realFiles returns fresh copies of the shipped manifest (decoded as generic
// JSON, so tests can break it in ways the typed struct cannot express) and
// weight file.
func realFiles(t testing.TB) ([]map[string]any, []byte) {
	t.Helper()
	raw, err := fs.ReadFile(faceapimodels.FS, faceapimodels.ManifestName)
	if err != nil {
		t.Fatal(err)
	}
	var m []map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	bin, err := fs.ReadFile(faceapimodels.FS, binName)
	if err != nil {
		t.Fatal(err)
	}
	return m, bin
}

func weightsOf(m []map[string]any) []any { return m[0]["weights"].([]any) }

// entry finds the manifest entry of the named tensor.
func entry(t testing.TB, m []map[string]any, name string) map[string]any {
	t.Helper()
	for _, w := range weightsOf(m) {
		if w := w.(map[string]any); w["name"] == name {
			return w
		}
	}
	t.Fatalf("no tensor %s", name)
	return nil
}

// offsetOf is the byte offset of the named tensor in the weight file.
func offsetOf(t testing.TB, m []map[string]any, name string) int {
	t.Helper()
	off := 0
	for _, w := range weightsOf(m) {
		w := w.(map[string]any)
		if w["name"] == name {
			return off
		}
		n := 1
		for _, d := range w["shape"].([]any) {
			n *= int(d.(float64))
		}
		if w["quantization"] == nil {
			n *= 4
		}
		off += n
	}
	t.Fatalf("no tensor %s", name)
	return 0
}

func mapFS(t testing.TB, m any, bin []byte) fstest.MapFS {
	t.Helper()
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{faceapimodels.ManifestName: {Data: raw}}
	if bin != nil {
		fsys[binName] = &fstest.MapFile{Data: bin}
	}
	return fsys
}

func TestLoadMalformed(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(t *testing.T, m []map[string]any, bin []byte) (any, []byte)
		reason Reason
	}{
		{"truncated bin", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			return m, bin[:len(bin)-1]
		}, ReasonWeightsFile},
		{"padded bin", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			return m, append(bin, 0)
		}, ReasonWeightsFile},
		{"empty bin", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			return m, []byte{}
		}, ReasonWeightsFile},
		{"missing bin", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			return m, nil
		}, ReasonWeightsFile},
		{"path escapes the directory", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			m[0]["paths"] = []string{"../" + binName}
			return m, bin
		}, ReasonManifest},
		{"no paths", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			m[0]["paths"] = []string{}
			return m, bin
		}, ReasonManifest},
		{"no groups", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			return []any{}, bin
		}, ReasonManifest},
		{"not a list", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			return map[string]any{"weights": 1}, bin
		}, ReasonManifest},
		{"unknown field", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			entry(t, m, "fc")["group"] = "x"
			return m, bin
		}, ReasonManifest},
		{"fc transposed", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			entry(t, m, "fc")["shape"] = []int{128, 256}
			return m, bin
		}, ReasonWeightsShape},
		{"stem filters in and out swapped", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			entry(t, m, "conv32_down/conv/filters")["shape"] = []int{7, 7, 32, 3}
			return m, bin
		}, ReasonWeightsShape},
		{"rank 5", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			entry(t, m, "conv32_down/conv/filters")["shape"] = []int{7, 7, 3, 32, 1}
			return m, bin
		}, ReasonWeightsShape},
		{"negative dimension", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			entry(t, m, "fc")["shape"] = []int{-256, -128}
			return m, bin
		}, ReasonWeightsShape},
		{"overflowing shape", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			entry(t, m, "fc")["shape"] = []int{1 << 30, 1 << 30, 1 << 30, 1 << 30}
			return m, bin
		}, ReasonWeightsShape},
		{"missing tensor", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			entry(t, m, "conv128_1/conv2/scale/biases")["name"] = "conv128_1/conv2/scale/bias"
			return m, bin
		}, ReasonWeightsMissing},
		{"duplicate tensor", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			entry(t, m, "conv128_1/conv2/scale/biases")["name"] = "conv128_1/conv2/scale/weights"
			return m, bin
		}, ReasonManifest},
		{"extra tensor", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			m[0]["weights"] = append(weightsOf(m), map[string]any{"name": "extra", "shape": []int{4}, "dtype": "float32"})
			return m, append(bin, make([]byte, 16)...)
		}, ReasonWeightsUnexpected},
		{"int32 dtype", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			entry(t, m, "fc")["dtype"] = "int32"
			return m, bin
		}, ReasonWeightsDtype},
		{"float16 quantisation", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			entry(t, m, "fc")["quantization"].(map[string]any)["dtype"] = "float16"
			return m, bin
		}, ReasonWeightsDtype},
		{"quantisation without scale", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			delete(entry(t, m, "fc")["quantization"].(map[string]any), "scale")
			return m, bin
		}, ReasonWeightsDtype},
		{"uint16 quantisation changes the file size", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			entry(t, m, "fc")["quantization"].(map[string]any)["dtype"] = "uint16"
			return m, bin
		}, ReasonWeightsFile},
		{"NaN in a float32 tensor", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			off := offsetOf(t, m, "conv64_1/conv1/conv/filters") + 4*17
			binary.LittleEndian.PutUint32(bin[off:], math.Float32bits(float32(math.NaN())))
			return m, bin
		}, ReasonWeightsValue},
		{"infinite dequantised value", func(t *testing.T, m []map[string]any, bin []byte) (any, []byte) {
			entry(t, m, "fc")["quantization"].(map[string]any)["scale"] = 1e300
			return m, bin
		}, ReasonWeightsValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, bin := realFiles(t)
			manifest, bin := tt.edit(t, m, bin)
			_, err := LoadFS(mapFS(t, manifest, bin), faceapimodels.ManifestName)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want a *facenet.Error", err)
			}
			if e.Reason != tt.reason {
				t.Fatalf("reason %q (%v), want %q", e.Reason, err, tt.reason)
			}
		})
	}
}

func TestLoadManifestLimits(t *testing.T) {
	tests := []struct {
		name     string
		manifest string
		data     []byte
	}{
		{"missing manifest", "", nil},
		{"invalid path", "../m.json", nil},
		{"oversized manifest", faceapimodels.ManifestName, []byte("[" + strings.Repeat(" ", maxManifestBytes) + "]")},
		{"trailing data", faceapimodels.ManifestName, []byte(`[{"paths":["a"],"weights":[]}] []`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			if tt.data != nil {
				fsys[tt.manifest] = &fstest.MapFile{Data: tt.data}
			}
			name := tt.manifest
			if name == "" {
				name = faceapimodels.ManifestName
			}
			_, err := LoadFS(fsys, name)
			var e *Error
			if !errors.As(err, &e) || e.Reason != ReasonManifest {
				t.Fatalf("err = %v, want reason %s", err, ReasonManifest)
			}
		})
	}
}

// TestLoadDir: the on-disk copy loads and gives the embedded net's weights.
func TestLoadDir(t *testing.T) {
	n, err := Load("../../../../models/face-api")
	if err != nil {
		t.Fatal(err)
	}
	e := testNet(t)
	if !slices.Equal(n.w.fc, e.w.fc) || !slices.Equal(n.w.stem.wt, e.w.stem.wt) {
		t.Fatal("weights loaded from the directory differ from the embedded ones")
	}
	if _, err := Load(t.TempDir()); err == nil {
		t.Fatal("loading an empty directory succeeded")
	}
}

// TestDequantise pins the tfjs rule q*scale+min, and that raw float32 tensors
// are read little-endian.
func TestDequantise(t *testing.T) {
	m, bin := realFiles(t)
	ts, err := readManifest(mapFS(t, m, bin), faceapimodels.ManifestName)
	if err != nil {
		t.Fatal(err)
	}
	q := entry(t, m, "fc")["quantization"].(map[string]any)
	scale, mn := q["scale"].(float64), q["min"].(float64)
	off := offsetOf(t, m, "fc")
	for _, i := range []int{0, 1, 12345, 256*128 - 1} {
		want := float32(float64(bin[off+i])*scale + mn)
		if got := ts["fc"].data[i]; got != want {
			t.Errorf("fc[%d] = %v, want %v", i, got, want)
		}
	}
	off = offsetOf(t, m, "conv64_2/conv2/conv/filters")
	want := math.Float32frombits(binary.LittleEndian.Uint32(bin[off+8:]))
	if got := ts["conv64_2/conv2/conv/filters"].data[2]; got != want {
		t.Errorf("raw float32 read %v, want %v", got, want)
	}
}
