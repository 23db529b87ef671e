package facenet

import "sync"

// fmap is a feature map in height-width-channel order, the layout of tfjs's
// NHWC tensors with the batch dimension dropped.
type fmap struct {
	h, w, c int
	data    []float32
}

func (f fmap) size() int { return f.h * f.w * f.c }

// outSize is the output side of a convolution or pooling window. With pad 0
// it is tfjs's 'valid'; with stride 1, k=3, pad 1 it is 'same'.
func outSize(in, k, stride, pad int) int { return (in+2*pad-k)/stride + 1 }

// minRowsPerWorker keeps goroutines for work big enough to repay them.
const minRowsPerWorker = 16

// apply runs the convolution l on src into dst (resized as needed), using
// col as im2col scratch. Output rows are split among up to workers
// goroutines; each builds and multiplies only its own patches.
func (l *convLayer) apply(src fmap, dst, col *[]float32, workers int) fmap {
	oh, ow := outSize(src.h, l.k, l.stride, l.pad), outSize(src.w, l.k, l.stride, l.pad)
	res := fmap{h: oh, w: ow, c: l.out}
	rows, K := oh*ow, l.k*l.k*l.in
	*dst = grow(*dst, res.size())
	*col = grow(*col, rows*K)
	res.data = *dst
	if w := rows / minRowsPerWorker; workers > w {
		workers = max(w, 1)
	}
	run := func(p0, p1 int) {
		c := (*col)[p0*K : p1*K]
		l.im2col(src, p0, p1, ow, c)
		gemmRows(c, p1-p0, K, l, res.data[p0*l.out:p1*l.out])
	}
	if workers <= 1 {
		run(0, rows)
		return res
	}
	var wg sync.WaitGroup
	for i := range workers {
		p0, p1 := rows*i/workers, rows*(i+1)/workers
		wg.Go(func() { run(p0, p1) })
	}
	wg.Wait()
	return res
}

// im2col writes the k*k*in patch of each output pixel p in [p0, p1) as one
// row of col, in the order (ky, kx, channel) that matches the filter layout.
// Taps outside the input are zeros: that is the 'same' padding.
func (l *convLayer) im2col(src fmap, p0, p1, ow int, col []float32) {
	K, in := l.k*l.k*l.in, l.in
	for p := p0; p < p1; p++ {
		oy, ox := p/ow, p%ow
		row := col[(p-p0)*K : (p-p0+1)*K]
		i := 0
		for ky := range l.k {
			iy := oy*l.stride + ky - l.pad
			for kx := range l.k {
				ix := ox*l.stride + kx - l.pad
				seg := row[i : i+in]
				i += in
				if iy < 0 || iy >= src.h || ix < 0 || ix >= src.w {
					clear(seg)
					continue
				}
				copy(seg, src.data[(iy*src.w+ix)*in:])
			}
		}
	}
}

// grow returns b with length n, reusing its storage when it is big enough.
func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}
