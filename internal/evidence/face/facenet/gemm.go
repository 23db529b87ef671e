package facenet

// gemmRows computes, for rows output pixels whose im2col patches are the
// consecutive K-long rows of col, every output channel of l:
// dst[p*out+o] = dot(col[p], l.wt[o])*l.mul[o] + l.add[o], then ReLU if l.relu.
//
// The kernel works on 4 patches by 4 filters at a time so that each loaded
// value feeds four multiply-adds held in registers; pure Go gets no SIMD, so
// cutting loads per multiply is what makes it fast.
func gemmRows(col []float32, rows, K int, l *convLayer, dst []float32) {
	out := l.out
	p := 0
	for ; p+4 <= rows; p += 4 {
		a0 := col[p*K : p*K+K]
		a1 := col[(p+1)*K : (p+1)*K+K]
		a2 := col[(p+2)*K : (p+2)*K+K]
		a3 := col[(p+3)*K : (p+3)*K+K]
		o := 0
		for ; o+4 <= out; o += 4 {
			b0 := l.wt[o*K : o*K+K]
			b1 := l.wt[(o+1)*K : (o+1)*K+K]
			b2 := l.wt[(o+2)*K : (o+2)*K+K]
			b3 := l.wt[(o+3)*K : (o+3)*K+K]
			var s00, s01, s02, s03, s10, s11, s12, s13 float32
			var s20, s21, s22, s23, s30, s31, s32, s33 float32
			for i := range a0 {
				x0, x1, x2, x3 := a0[i], a1[i], a2[i], a3[i]
				y0, y1, y2, y3 := b0[i], b1[i], b2[i], b3[i]
				s00 += x0 * y0
				s01 += x0 * y1
				s02 += x0 * y2
				s03 += x0 * y3
				s10 += x1 * y0
				s11 += x1 * y1
				s12 += x1 * y2
				s13 += x1 * y3
				s20 += x2 * y0
				s21 += x2 * y1
				s22 += x2 * y2
				s23 += x2 * y3
				s30 += x3 * y0
				s31 += x3 * y1
				s32 += x3 * y2
				s33 += x3 * y3
			}
			l.store(dst[p*out:], o, s00, s01, s02, s03)
			l.store(dst[(p+1)*out:], o, s10, s11, s12, s13)
			l.store(dst[(p+2)*out:], o, s20, s21, s22, s23)
			l.store(dst[(p+3)*out:], o, s30, s31, s32, s33)
		}
		for ; o < out; o++ {
			b := l.wt[o*K : o*K+K]
			for r, a := range [4][]float32{a0, a1, a2, a3} {
				dst[(p+r)*out+o] = l.finish(o, dot(a, b))
			}
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
