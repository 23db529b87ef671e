package facenet

// maxPool is a k x k, stride s, 'valid' max pool.
func maxPool(src fmap, k, s int, dst *[]float32) fmap {
	res := fmap{h: outSize(src.h, k, s, 0), w: outSize(src.w, k, s, 0), c: src.c}
	*dst = grow(*dst, res.size())
	res.data = *dst
	for oy := range res.h {
		for ox := range res.w {
			o := res.data[(oy*res.w+ox)*res.c:][:res.c]
			copy(o, src.data[(oy*s*src.w+ox*s)*src.c:][:src.c])
			for ky := range k {
				for kx := range k {
					in := src.data[((oy*s+ky)*src.w+ox*s+kx)*src.c:][:src.c]
					for c, v := range in {
						if v > o[c] {
							o[c] = v
						}
					}
				}
			}
		}
	}
	return res
}

// avgPool2 is tfjs's avgPool(x, 2, 2, 'valid'): an odd last row or column
// is dropped.
func avgPool2(src fmap, dst *[]float32) fmap {
	res := fmap{h: outSize(src.h, 2, 2, 0), w: outSize(src.w, 2, 2, 0), c: src.c}
	*dst = grow(*dst, res.size())
	res.data = *dst
	for oy := range res.h {
		for ox := range res.w {
			o := res.data[(oy*res.w+ox)*res.c:][:res.c]
			a := src.data[(2*oy*src.w+2*ox)*src.c:][:src.c]
			b := src.data[(2*oy*src.w+2*ox+1)*src.c:][:src.c]
			c := src.data[((2*oy+1)*src.w+2*ox)*src.c:][:src.c]
			d := src.data[((2*oy+1)*src.w+2*ox+1)*src.c:][:src.c]
			for i := range o {
				o[i] = (a[i] + b[i] + c[i] + d[i]) / 4
			}
		}
	}
	return res
}

// addReLU sets dst = max(dst + src, 0) over equal-shaped maps: the end of a
// residual block that keeps its shape.
func addReLU(dst, src fmap) {
	s := src.data[:len(dst.data)]
	for i, v := range dst.data {
		dst.data[i] = max(v+s[i], 0)
	}
}

// shortcutDown finishes a down block the way face-api does: the main path
// out, when smaller than the pooled input, is padded with zeros at its bottom
// row and right column; the pooled input fills the first channels of the
// shortcut and zeros the rest; the sum goes through ReLU. The result is
// written to dst, shaped like pooled with out's channel count.
func shortcutDown(out, pooled fmap, dst *[]float32) fmap {
	res := fmap{h: pooled.h, w: pooled.w, c: out.c}
	*dst = grow(*dst, res.size())
	res.data = *dst
	for y := range res.h {
		for x := range res.w {
			r := res.data[(y*res.w+x)*res.c:][:res.c]
			if y < out.h && x < out.w {
				copy(r, out.data[(y*out.w+x)*out.c:][:out.c])
			} else {
				clear(r)
			}
			p := pooled.data[(y*pooled.w+x)*pooled.c:][:pooled.c]
			for c, v := range p {
				r[c] += v
			}
			for c, v := range r {
				r[c] = max(v, 0)
			}
		}
	}
	return res
}
