package facenet

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"math"
	"path"
)

// Limits on a manifest and its weight files. The real model has a 20 KB
// manifest, 117 tensors and a 6.4 MB weight file; the limits leave room for a
// re-export without letting a hostile file exhaust memory.
const (
	maxManifestBytes = 1 << 20
	maxWeightBytes   = 64 << 20
	maxTensors       = 1024
	maxRank          = 4
	maxPaths         = 64
)

// manifestGroup is one entry of a TensorFlow.js weights manifest: tensors in
// the order their bytes appear in the concatenation of Paths.
type manifestGroup struct {
	Paths   []string         `json:"paths"`
	Weights []manifestWeight `json:"weights"`
}

type manifestWeight struct {
	Name         string        `json:"name"`
	Shape        []int         `json:"shape"`
	Dtype        string        `json:"dtype"`
	Quantization *quantization `json:"quantization"`
}

// quantization maps stored integers q to q*Scale + Min.
type quantization struct {
	Dtype string   `json:"dtype"`
	Scale *float64 `json:"scale"`
	Min   *float64 `json:"min"`
}

// tensor is a decoded float32 tensor.
type tensor struct {
	shape []int
	data  []float32
}

// readManifest loads and decodes the manifest at name in fsys and every weight
// file it names (relative to the manifest), returning tensors by name.
func readManifest(fsys fs.FS, name string) (map[string]tensor, error) {
	if !fs.ValidPath(name) {
		return nil, errorf(ReasonManifest, "manifest path %q is not a valid fs path", name)
	}
	raw, err := readLimited(fsys, name, maxManifestBytes)
	if err != nil {
		return nil, errorf(ReasonManifest, "%v", err)
	}
	groups, err := parseManifest(raw)
	if err != nil {
		return nil, err
	}
	out := make(map[string]tensor)
	total := 0
	for gi, g := range groups {
		size, err := groupSize(gi, g)
		if err != nil {
			return nil, err
		}
		if total += size; total > maxWeightBytes {
			return nil, errorf(ReasonManifest, "weights total more than %d bytes", maxWeightBytes)
		}
		buf, err := readGroup(fsys, path.Dir(name), g, size)
		if err != nil {
			return nil, err
		}
		if err := decodeGroup(g, buf, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseManifest checks the JSON shape strictly: unknown fields are refused so
// that a format extension this port does not understand fails loudly.
func parseManifest(raw []byte) ([]manifestGroup, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var groups []manifestGroup
	if err := dec.Decode(&groups); err != nil {
		return nil, errorf(ReasonManifest, "json: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errorf(ReasonManifest, "trailing data after the manifest")
	}
	if len(groups) == 0 {
		return nil, errorf(ReasonManifest, "no weight groups")
	}
	n := 0
	for gi, g := range groups {
		if len(g.Paths) == 0 || len(g.Paths) > maxPaths {
			return nil, errorf(ReasonManifest, "group %d has %d paths", gi, len(g.Paths))
		}
		for _, p := range g.Paths {
			if !fs.ValidPath(p) || p == "." {
				return nil, errorf(ReasonManifest, "group %d: path %q is not a plain relative path", gi, p)
			}
		}
		if n += len(g.Weights); n > maxTensors {
			return nil, errorf(ReasonManifest, "more than %d tensors", maxTensors)
		}
	}
	return groups, nil
}

// elemSize checks a tensor's dtype and quantisation and returns the bytes per
// stored element.
func elemSize(w manifestWeight) (int, error) {
	if w.Dtype != "float32" {
		return 0, errorf(ReasonWeightsDtype, "%s: dtype %q", w.Name, w.Dtype)
	}
	q := w.Quantization
	if q == nil {
		return 4, nil
	}
	if q.Scale == nil || q.Min == nil || math.IsNaN(*q.Scale) || math.IsInf(*q.Scale, 0) ||
		math.IsNaN(*q.Min) || math.IsInf(*q.Min, 0) {
		return 0, errorf(ReasonWeightsDtype, "%s: quantization needs finite scale and min", w.Name)
	}
	switch q.Dtype {
	case "uint8":
		return 1, nil
	case "uint16":
		return 2, nil
	}
	return 0, errorf(ReasonWeightsDtype, "%s: quantization dtype %q", w.Name, q.Dtype)
}

// numElems multiplies out a shape, refusing overflow and absurd sizes.
func numElems(w manifestWeight) (int, error) {
	if len(w.Shape) > maxRank {
		return 0, errorf(ReasonWeightsShape, "%s: rank %d", w.Name, len(w.Shape))
	}
	n := 1
	for _, d := range w.Shape {
		if d <= 0 || d > maxWeightBytes || n > maxWeightBytes/d {
			return 0, errorf(ReasonWeightsShape, "%s: shape %v", w.Name, w.Shape)
		}
		n *= d
	}
	return n, nil
}

// groupSize is the number of bytes the group's files must hold together.
func groupSize(gi int, g manifestGroup) (int, error) {
	size := 0
	for _, w := range g.Weights {
		es, err := elemSize(w)
		if err != nil {
			return 0, err
		}
		n, err := numElems(w)
		if err != nil {
			return 0, err
		}
		if size += n * es; size > maxWeightBytes {
			return 0, errorf(ReasonManifest, "group %d: more than %d bytes", gi, maxWeightBytes)
		}
	}
	return size, nil
}

// readGroup concatenates the group's files and checks that they hold exactly
// size bytes: a truncated or padded file means a different model.
func readGroup(fsys fs.FS, dir string, g manifestGroup, size int) ([]byte, error) {
	buf := make([]byte, 0, size)
	for _, p := range g.Paths {
		b, err := readLimited(fsys, path.Join(dir, p), size-len(buf))
		if err != nil {
			return nil, errorf(ReasonWeightsFile, "%v", err)
		}
		buf = append(buf, b...)
	}
	if len(buf) != size {
		return nil, errorf(ReasonWeightsFile, "weight files hold %d bytes, manifest says %d", len(buf), size)
	}
	return buf, nil
}

// readLimited reads a whole file, failing when it is longer than limit.
func readLimited(fsys fs.FS, name string, limit int) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > limit {
		return nil, errors.New(name + ": longer than expected")
	}
	return b, nil
}

// decodeGroup dequantises each tensor of g from buf into out. The arithmetic
// follows tfjs: q*scale+min in float64, then rounded to float32.
func decodeGroup(g manifestGroup, buf []byte, out map[string]tensor) error {
	off := 0
	for _, w := range g.Weights {
		es, _ := elemSize(w) // checked by groupSize
		n, _ := numElems(w)
		if _, dup := out[w.Name]; dup {
			return errorf(ReasonManifest, "tensor %q appears twice", w.Name)
		}
		b := buf[off : off+n*es]
		off += n * es
		data := make([]float32, n)
		for i := range data {
			var v float32
			switch es {
			case 4:
				v = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			case 2:
				v = dequant(float64(binary.LittleEndian.Uint16(b[2*i:])), w.Quantization)
			default:
				v = dequant(float64(b[i]), w.Quantization)
			}
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return errorf(ReasonWeightsValue, "%s[%d] is not finite", w.Name, i)
			}
			data[i] = v
		}
		out[w.Name] = tensor{shape: append([]int(nil), w.Shape...), data: data}
	}
	return nil
}

// dequant keeps the product and the sum as separate float64 operations (the
// explicit conversion forbids fusing them into an FMA), as JavaScript does.
func dequant(q float64, p *quantization) float32 {
	return float32(float64(q**p.Scale) + *p.Min)
}
