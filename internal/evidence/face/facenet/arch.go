package facenet

import "slices"

// The network, as face-api.js's FaceRecognitionNet builds it: a 7x7 stride-2
// convolution and a 3x3 max pool, then residual blocks at 32, 64, 128 and 256
// channels, a global average and a 256x128 fully connected layer.
const (
	ChipSize   = 150 // input width and height in pixels
	Dimensions = 128 // descriptor length
	fcIn       = 256
)

// blockSpec is one residual block: down blocks halve the resolution (their
// first convolution has stride 2 and 'valid' padding) and may double the
// channels.
type blockSpec struct {
	name    string
	in, out int
	down    bool
}

var blockSpecs = []blockSpec{
	{"conv32_1", 32, 32, false},
	{"conv32_2", 32, 32, false},
	{"conv32_3", 32, 32, false},
	{"conv64_down", 32, 64, true},
	{"conv64_1", 64, 64, false},
	{"conv64_2", 64, 64, false},
	{"conv64_3", 64, 64, false},
	{"conv128_down", 64, 128, true},
	{"conv128_1", 128, 128, false},
	{"conv128_2", 128, 128, false},
	{"conv256_down", 128, 256, true},
	{"conv256_1", 256, 256, false},
	{"conv256_2", 256, 256, false},
	{"conv256_down_out", 256, 256, true},
}

// convLayer is a convolution followed by face-api's scale layer. The bias and
// the scale are folded into one multiply-add per output: (x+bias)*w + b =
// x*w + (bias*w + b).
type convLayer struct {
	k, stride, pad int
	in, out        int
	wt             []float32 // [out][k*k*in], transposed from tfjs's [k][k][in][out]
	mul, add       []float32 // [out]
	relu           bool
}

type residualBlock struct {
	conv1, conv2 convLayer
	down         bool
}

// weights is the network's parameters, shared read-only by all descriptors.
type weights struct {
	stem   convLayer
	blocks []residualBlock
	fc     []float32 // [Dimensions][fcIn], transposed from tfjs's [fcIn][Dimensions]
}

// buildWeights takes exactly the tensors the network needs from ts, checking
// every shape; any tensor left over is refused.
func buildWeights(ts map[string]tensor) (*weights, error) {
	used := make(map[string]bool)
	take := func(name string, shape ...int) ([]float32, error) {
		t, ok := ts[name]
		if !ok {
			return nil, errorf(ReasonWeightsMissing, "%s", name)
		}
		if !slices.Equal(t.shape, shape) {
			return nil, errorf(ReasonWeightsShape, "%s: shape %v, want %v", name, t.shape, shape)
		}
		used[name] = true
		return t.data, nil
	}
	conv := func(prefix string, k, stride, pad, in, out int, relu bool) (convLayer, error) {
		l := convLayer{k: k, stride: stride, pad: pad, in: in, out: out, relu: relu}
		f, err := take(prefix+"/conv/filters", k, k, in, out)
		if err != nil {
			return l, err
		}
		bias, err := take(prefix+"/conv/bias", out)
		if err != nil {
			return l, err
		}
		sw, err := take(prefix+"/scale/weights", out)
		if err != nil {
			return l, err
		}
		sb, err := take(prefix+"/scale/biases", out)
		if err != nil {
			return l, err
		}
		kk := k * k * in
		l.wt = make([]float32, out*kk)
		for i := range kk {
			for o := range out {
				l.wt[o*kk+i] = f[i*out+o]
			}
		}
		l.mul = slices.Clone(sw)
		l.add = make([]float32, out)
		for o := range out {
			l.add[o] = bias[o]*sw[o] + sb[o]
		}
		return l, nil
	}

	w := &weights{}
	var err error
	if w.stem, err = conv("conv32_down", 7, 2, 0, 3, 32, true); err != nil {
		return nil, err
	}
	for _, s := range blockSpecs {
		b := residualBlock{down: s.down}
		stride, pad := 1, 1
		if s.down {
			stride, pad = 2, 0
		}
		if b.conv1, err = conv(s.name+"/conv1", 3, stride, pad, s.in, s.out, true); err != nil {
			return nil, err
		}
		if b.conv2, err = conv(s.name+"/conv2", 3, 1, 1, s.out, s.out, false); err != nil {
			return nil, err
		}
		w.blocks = append(w.blocks, b)
	}
	fc, err := take("fc", fcIn, Dimensions)
	if err != nil {
		return nil, err
	}
	w.fc = make([]float32, Dimensions*fcIn)
	for i := range fcIn {
		for o := range Dimensions {
			w.fc[o*fcIn+i] = fc[i*Dimensions+o]
		}
	}
	for name := range ts {
		if !used[name] {
			return nil, errorf(ReasonWeightsUnexpected, "%s", name)
		}
	}
	return w, nil
}
