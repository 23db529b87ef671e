package facenet

// gemmRows computes, for rows output pixels whose im2col patches are the
// consecutive K-long rows of col, every output channel of l:
// dst[p*out+o] = dot(col[p], l.wt[o])*l.mul[o] + l.add[o], then ReLU if l.relu.
//
// The kernel takes 2 patches by 4 filters at a time: each loaded value feeds
// two or four multiply-adds, and the 8 sums plus 6 operands fit the 16
// amd64 float registers. Pure Go has no SIMD; measured on this machine a 4x4
// block spills to the stack and runs at half the speed of this 2x4 one.
func gemmRows(col []float32, rows, K int, l *convLayer, dst []float32) {
	out := l.out
	p := 0
	for ; p+2 <= rows; p += 2 {
		a0 := col[p*K : p*K+K]
		a1 := col[(p+1)*K : (p+1)*K+K][:len(a0)]
		r0, r1 := dst[p*out:(p+1)*out], dst[(p+1)*out:(p+2)*out]
		o := 0
		for ; o+4 <= out; o += 4 {
			b0 := l.wt[o*K : o*K+K][:len(a0)]
			b1 := l.wt[(o+1)*K : (o+1)*K+K][:len(a0)]
			b2 := l.wt[(o+2)*K : (o+2)*K+K][:len(a0)]
			b3 := l.wt[(o+3)*K : (o+3)*K+K][:len(a0)]
			var s00, s01, s02, s03, s10, s11, s12, s13 float32
			for i := range a0 {
				x0, x1 := a0[i], a1[i]
				y0, y1, y2, y3 := b0[i], b1[i], b2[i], b3[i]
				s00 += x0 * y0
				s01 += x0 * y1
				s02 += x0 * y2
				s03 += x0 * y3
				s10 += x1 * y0
				s11 += x1 * y1
				s12 += x1 * y2
				s13 += x1 * y3
			}
			l.store(r0, o, s00, s01, s02, s03)
			l.store(r1, o, s10, s11, s12, s13)
		}
		for ; o < out; o++ {
			b := l.wt[o*K : o*K+K]
			r0[o] = l.finish(o, dot(a0, b))
			r1[o] = l.finish(o, dot(a1, b))
		}
	}
	for ; p < rows; p++ {
		a := col[p*K : p*K+K]
		for o := range out {
			dst[p*out+o] = l.finish(o, dot(a, l.wt[o*K:o*K+K]))
		}
	}
}

func (l *convLayer) store(row []float32, o int, s0, s1, s2, s3 float32) {
	r := row[o : o+4]
	r[0] = l.finish(o, s0)
	r[1] = l.finish(o+1, s1)
	r[2] = l.finish(o+2, s2)
	r[3] = l.finish(o+3, s3)
}

// finish applies the folded bias and scale and the optional ReLU.
func (l *convLayer) finish(o int, s float32) float32 {
	v := s*l.mul[o] + l.add[o]
	if l.relu && v < 0 {
		return 0
	}
	return v
}

func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s float32
	for i, x := range a {
		s += x * b[i]
	}
	return s
}
