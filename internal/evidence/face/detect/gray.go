package detect

import (
	"image"
	"math"
)

// plane is an 8-bit luma image, row-major without padding: the form pigo's
// cascades read. Everything the detector does happens on planes; only Align
// goes back to the colour image.
type plane struct {
	pix  []uint8
	w, h int
}

// toPlane converts any image to luma (ITU-R BT.601 weights, as JPEG's Y).
// The common decoder outputs get fast paths; the generic path goes through
// the color.Color interface and is slower but correct.
func toPlane(img image.Image) plane {
	b := img.Bounds()
	p := plane{pix: make([]uint8, b.Dx()*b.Dy()), w: b.Dx(), h: b.Dy()}
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < p.h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(p.pix[y*p.w:(y+1)*p.w], m.Pix[off:off+p.w])
		}
	case *image.YCbCr:
		for y := 0; y < p.h; y++ {
			off := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(p.pix[y*p.w:(y+1)*p.w], m.Y[off:off+p.w])
		}
	case *image.RGBA:
		for y := 0; y < p.h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < p.w; x++ {
				p.pix[y*p.w+x] = luma(uint32(row[4*x]), uint32(row[4*x+1]), uint32(row[4*x+2]))
			}
		}
	case *image.NRGBA:
		// Un-premultiplied: a transparent pixel keeps its colour. Faces are
		// opaque; treating alpha as absent avoids black holes in cut-outs.
		for y := 0; y < p.h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < p.w; x++ {
				p.pix[y*p.w+x] = luma(uint32(row[4*x]), uint32(row[4*x+1]), uint32(row[4*x+2]))
			}
		}
	default:
		for y := 0; y < p.h; y++ {
			for x := 0; x < p.w; x++ {
				r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				p.pix[y*p.w+x] = luma(r>>8, g>>8, bl>>8)
			}
		}
	}
	return p
}

// luma uses 16.16 fixed-point BT.601 weights; r, g, b are 8-bit.
func luma(r, g, b uint32) uint8 {
	return uint8((19595*r + 38470*g + 7471*b + 1<<15) >> 16)
}

// at samples the plane bilinearly at (x, y), pixel centres on integers;
// outside the plane the nearest edge pixel is repeated.
func (p plane) at(x, y float64) float64 {
	// Explicit clamps: math.Max and math.Min handle NaN and signed zeros and
	// cost a third of the detector's resampling time.
	if x < 0 {
		x = 0
	} else if mx := float64(p.w - 1); x > mx {
		x = mx
	}
	if y < 0 {
		y = 0
	} else if my := float64(p.h - 1); y > my {
		y = my
	}
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, p.w-1), min(y0+1, p.h-1)
	fx, fy := x-float64(x0), y-float64(y0)
	r0, r1 := p.pix[y0*p.w:], p.pix[y1*p.w:]
	top := float64(r0[x0]) + (float64(r0[x1])-float64(r0[x0]))*fx
	bot := float64(r1[x0]) + (float64(r1[x1])-float64(r1[x0]))*fx
	return top + (bot-top)*fy
}

// pad returns p with m pixels added on every side, repeating the edge
// pixels: the upright case of resample, done without interpolation.
func pad(p plane, m int) plane {
	out := plane{w: p.w + 2*m, h: p.h + 2*m}
	out.pix = make([]uint8, out.w*out.h)
	for y := 0; y < out.h; y++ {
		src := p.pix[max(0, min(y-m, p.h-1))*p.w:][:p.w]
		row := out.pix[y*out.w:][:out.w]
		copy(row[m:], src)
		for x := 0; x < m; x++ {
			row[x], row[m+p.w+x] = src[0], src[p.w-1]
		}
	}
	return out
}

// frame maps the pixels of a w x h output plane to source coordinates: the
// output centre lands on center, output axes are rotated by angle (radians,
// counter-clockwise on screen is negative because y points down) and
// stretched by scale source pixels per output pixel.
type frame struct {
	center Point
	angle  float64
	scale  float64
	w, h   int
}

// toSource maps an output point to the source image.
func (f frame) toSource(u, v float64) Point {
	s, c := math.Sincos(f.angle)
	du, dv := (u-float64(f.w)/2)*f.scale, (v-float64(f.h)/2)*f.scale
	return Point{X: f.center.X + c*du - s*dv, Y: f.center.Y + s*du + c*dv}
}

// resample draws the frame's view of src, bilinearly.
func resample(src plane, f frame) plane {
	out := plane{pix: make([]uint8, f.w*f.h), w: f.w, h: f.h}
	s, c := math.Sincos(f.angle)
	for v := 0; v < f.h; v++ {
		dv := (float64(v) - float64(f.h)/2) * f.scale
		for u := 0; u < f.w; u++ {
			du := (float64(u) - float64(f.w)/2) * f.scale
			x := f.center.X + c*du - s*dv
			y := f.center.Y + s*du + c*dv
			out.pix[v*f.w+u] = uint8(src.at(x, y) + 0.5)
		}
	}
	return out
}

// shrink returns the plane reduced by an integer factor with a box filter,
// so that detection on big photos costs what it costs on small ones.
func shrink(p plane, k int) plane {
	if k <= 1 {
		return p
	}
	out := plane{w: p.w / k, h: p.h / k}
	out.pix = make([]uint8, out.w*out.h)
	n := uint32(k * k)
	for y := 0; y < out.h; y++ {
		for x := 0; x < out.w; x++ {
			var sum uint32
			for j := 0; j < k; j++ {
				row := p.pix[(y*k+j)*p.w+x*k:]
				for i := 0; i < k; i++ {
					sum += uint32(row[i])
				}
			}
			out.pix[y*out.w+x] = uint8((sum + n/2) / n)
		}
	}
	return out
}
