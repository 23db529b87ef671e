package facenet

import (
	"image"
	"io/fs"
	"math"
	"os"
	"runtime"

	faceapimodels "github.com/vigil-gw/vigil/models/face-api"
)

// Net computes face descriptors. It is safe for concurrent use; each call
// borrows scratch buffers (about 5 MB) from a free list so steady-state calls
// do not allocate feature maps.
type Net struct {
	w       *weights
	workers int
	// free keeps up to cap(free) workspaces between calls. Unlike a
	// sync.Pool it is not emptied by every GC, which with 5 MB buffers would
	// mean reallocating them every few calls.
	free chan *workspace
}

// workspace is the per-call scratch: feature-map buffers rotated through the
// layers, and the im2col matrix.
type workspace struct {
	a, b, c, d, col []float32
}

// The largest feature map and im2col matrix are the stem's: 72x72x32 out,
// 72*72 patches of 7x7x3. Sizing every buffer for them up front means the
// buffers, which swap roles between layers, never need to grow.
const (
	stemSide   = (ChipSize-7)/2 + 1
	maxMapSize = stemSide * stemSide * 32
	maxColSize = stemSide * stemSide * 7 * 7 * 3
)

func newWorkspace() *workspace {
	return &workspace{
		a: make([]float32, maxMapSize), b: make([]float32, maxMapSize),
		c: make([]float32, maxMapSize), d: make([]float32, maxMapSize),
		col: make([]float32, maxColSize),
	}
}

// LoadEmbedded loads the weights compiled into the binary from
// models/face-api (npm @vladmandic/face-api 1.7.15).
func LoadEmbedded() (*Net, error) {
	return LoadFS(faceapimodels.FS, faceapimodels.ManifestName)
}

// Load reads face_recognition_model-weights_manifest.json and the weight file
// it names from dir.
func Load(dir string) (*Net, error) {
	return LoadFS(os.DirFS(dir), faceapimodels.ManifestName)
}

// LoadFS reads the TensorFlow.js weights manifest at manifest in fsys and
// the weight files it names (relative to it). Every tensor is checked
// against the network's architecture; anything missing, extra, misshapen,
// truncated or non-finite is an error.
func LoadFS(fsys fs.FS, manifest string) (*Net, error) {
	ts, err := readManifest(fsys, manifest)
	if err != nil {
		return nil, err
	}
	w, err := buildWeights(ts)
	if err != nil {
		return nil, err
	}
	workers := min(runtime.GOMAXPROCS(0), 8)
	return &Net{w: w, workers: workers, free: make(chan *workspace, workers)}, nil
}

// Descriptor returns the 128-d descriptor of a 150x150 face chip (RGB; alpha
// is ignored): a tight, upright face crop, as face-api.js feeds it (the box
// aligned from its 68 landmarks) or as dlib, which trained the model, makes
// it (a 5-point aligned chip).
func (n *Net) Descriptor(chip *image.RGBA) ([Dimensions]float32, error) {
	var d [Dimensions]float32
	if n == nil || n.w == nil {
		return d, errorf(ReasonChip, "net not loaded")
	}
	if err := checkChip(chip); err != nil {
		return d, err
	}
	var ws *workspace
	select {
	case ws = <-n.free:
	default:
		ws = newWorkspace()
	}
	defer func() {
		select {
		case n.free <- ws:
		default: // enough kept; let the GC have this one
		}
	}()
	x := normalise(chip, &ws.a)
	d = n.forward(x, ws)
	return d, nil
}

// checkChip refuses anything but a 150x150 image whose pixel slice covers its
// bounds: a malformed image.RGBA must give an error, not an index panic.
func checkChip(chip *image.RGBA) error {
	if chip == nil {
		return errorf(ReasonChip, "nil image")
	}
	b := chip.Rect
	if b.Dx() != ChipSize || b.Dy() != ChipSize {
		return errorf(ReasonChip, "size %dx%d, want %dx%d", b.Dx(), b.Dy(), ChipSize, ChipSize)
	}
	if chip.Stride < 4*ChipSize || len(chip.Pix) < (ChipSize-1)*chip.Stride+4*ChipSize {
		return errorf(ReasonChip, "pixel buffer too short for its bounds")
	}
	return nil
}

// meanRGB is face-api's per-channel mean; inputs become (v - mean) / 255.
var meanRGB = [3]float32{122.782, 117.001, 104.298}

func normalise(chip *image.RGBA, buf *[]float32) fmap {
	x := fmap{h: ChipSize, w: ChipSize, c: 3}
	*buf = grow(*buf, x.size())
	x.data = *buf
	for y := range ChipSize {
		row := chip.Pix[y*chip.Stride:][:4*ChipSize]
		out := x.data[y*ChipSize*3:][:3*ChipSize]
		for i := range ChipSize {
			for c := range 3 {
				out[3*i+c] = (float32(row[4*i+c]) - meanRGB[c]) / 255
			}
		}
	}
	return x
}

// forward runs the network on the normalised input held in ws.a.
func (n *Net) forward(x fmap, ws *workspace) [Dimensions]float32 {
	w := n.w
	t := w.stem.apply(x, &ws.b, &ws.col, n.workers)
	x = maxPool(t, 3, 2, &ws.a)
	for i := range w.blocks {
		blk := &w.blocks[i]
		t := blk.conv1.apply(x, &ws.b, &ws.col, n.workers)
		u := blk.conv2.apply(t, &ws.c, &ws.col, n.workers)
		if !blk.down {
			addReLU(u, x)
			ws.a, ws.c = ws.c, ws.a
			x = u
			continue
		}
		p := avgPool2(x, &ws.d)
		x = shortcutDown(u, p, &ws.a)
	}
	var avg [fcIn]float32
	for i := range x.h * x.w {
		for c, v := range x.data[i*x.c:][:fcIn] {
			avg[c] += v
		}
	}
	for c := range avg {
		avg[c] /= float32(x.h * x.w)
	}
	var d [Dimensions]float32
	for o := range d {
		d[o] = dot(avg[:], w.fc[o*fcIn:][:fcIn])
	}
	return d
}

// Distance is the Euclidean distance between two descriptors, the measure
// face-api.js uses (dlib's rule of thumb: same person below about 0.6).
func Distance(a, b [Dimensions]float32) float32 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return float32(math.Sqrt(s))
}
