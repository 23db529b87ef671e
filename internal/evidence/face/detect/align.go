package detect

import (
	"image"
	"image/color"
	"math"
)

// ChipSize is the side of the aligned face the face descriptor network
// (dlib's ResNet, as face-api.js runs it) takes.
const ChipSize = 150

// maxChipSize bounds Align's output so a careless caller cannot make it
// allocate without limit.
const maxChipSize = 2048

// The alignment template, in fractions of the chip side. It is face-api.js's
// "dlib alignment" (FaceLandmarks.align with useDlibAlignment): the chip is
// the square whose side is the mean distance from each eye to the mouth
// centre divided by templateEyeMouth, placed so that the centroid of the two
// eye centres and the mouth centre lands at (templateX, templateY).
//
// face-api.js itself cuts that square out upright and leaves any head tilt
// in. Align turns it so the eyes are level, as dlib's get_face_chip does for
// the chips the network was trained on; for an upright face the two are the
// same square. The test crops in shared/testdata/faces are face-api.js
// output: aligning them gives back (to a pixel or two) the whole crop.
const (
	templateX        = 0.5
	templateY        = 0.43
	templateEyeMouth = 0.45
)

// chipFrame computes where the chip sits in the source image: its centre,
// rotation and source pixels per chip pixel. ok is false when the landmarks
// are degenerate (coincident or not finite).
func chipFrame(f Face, size int) (fr frame, ok bool) {
	mouth := mid(f.MouthLeft, f.MouthRight)
	d := (f.LeftEye.dist(mouth) + f.RightEye.dist(mouth)) / 2
	angle := math.Atan2(f.RightEye.Y-f.LeftEye.Y, f.RightEye.X-f.LeftEye.X)
	side := d / templateEyeMouth
	ref := Point{(f.LeftEye.X + f.RightEye.X + mouth.X) / 3, (f.LeftEye.Y + f.RightEye.Y + mouth.Y) / 3}
	if !finite(side, angle, ref.X, ref.Y) || side < 1 || f.LeftEye.dist(f.RightEye) < 1 {
		return frame{}, false
	}
	scale := side / float64(size)
	// The frame rotates about its centre; the template puts the reference
	// point off centre, so move from it to the centre along the chip's axes.
	s, c := math.Sincos(angle)
	du, dv := (0.5-templateX)*side, (0.5-templateY)*side
	center := Point{ref.X + c*du - s*dv, ref.Y + s*du + c*dv}
	return frame{center: center, angle: angle, scale: scale, w: size, h: size}, true
}

// Align cuts the face out of img as a size x size RGB chip, eyes level,
// scaled to the template above, with bilinear sampling; pass ChipSize for the
// descriptor network. Chip pixels that fall outside img are black, as
// face-api.js pads its crops. If the landmarks are degenerate it falls back
// to the upright detection box, as face-api.js does without landmarks. The
// result depends only on its inputs. size is clamped to [1, 2048]; a size
// below 1 means ChipSize.
func Align(img image.Image, f Face, size int) *image.RGBA {
	if size < 1 {
		size = ChipSize
	}
	size = min(size, maxChipSize)
	out := image.NewRGBA(image.Rect(0, 0, size, size))
	fr, ok := chipFrame(f, size)
	if !ok {
		b := f.Box
		if b.Dx() < 1 || b.Dy() < 1 {
			return fill(out)
		}
		side := float64(max(b.Dx(), b.Dy()))
		fr = frame{
			center: Point{float64(b.Min.X+b.Max.X)/2 - 0.5, float64(b.Min.Y+b.Max.Y)/2 - 0.5},
			scale:  side / float64(size), w: size, h: size,
		}
	}
	if img == nil {
		return fill(out)
	}
	src := newSampler(img)
	for v := 0; v < size; v++ {
		for u := 0; u < size; u++ {
			// Chip pixel u spans [u, u+1) of the chip; its centre's offset
			// from the chip centre maps to the source as a vector, so the
			// result is in the landmarks' pixel-centre coordinates.
			p := fr.toSource(float64(u)+0.5, float64(v)+0.5)
			r, g, b := src.at(p.X, p.Y)
			i := out.PixOffset(u, v)
			out.Pix[i+0], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = r, g, b, 0xff
		}
	}
	return out
}

// fill paints the chip opaque black: what Align returns when there is
// nothing to sample.
func fill(m *image.RGBA) *image.RGBA {
	for i := 3; i < len(m.Pix); i += 4 {
		m.Pix[i] = 0xff
	}
	return m
}

func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// sampler reads RGB from an image bilinearly, with fast paths for the
// decoders' own types.
type sampler struct {
	img  image.Image
	b    image.Rectangle
	rgba *image.RGBA
	ycc  *image.YCbCr
	gray *image.Gray
}

func newSampler(img image.Image) sampler {
	s := sampler{img: img, b: img.Bounds()}
	switch m := img.(type) {
	case *image.RGBA:
		s.rgba = m
	case *image.YCbCr:
		s.ycc = m
	case *image.Gray:
		s.gray = m
	}
	return s
}

// pixel returns the 8-bit RGB of the pixel at offset (x, y) from the bounds'
// corner; the caller keeps (x, y) inside.
func (s sampler) pixel(x, y int) (r, g, b float64) {
	x += s.b.Min.X
	y += s.b.Min.Y
	switch {
	case s.rgba != nil:
		i := s.rgba.PixOffset(x, y)
		return float64(s.rgba.Pix[i]), float64(s.rgba.Pix[i+1]), float64(s.rgba.Pix[i+2])
	case s.ycc != nil:
		yi, ci := s.ycc.YOffset(x, y), s.ycc.COffset(x, y)
		r8, g8, b8 := color.YCbCrToRGB(s.ycc.Y[yi], s.ycc.Cb[ci], s.ycc.Cr[ci])
		return float64(r8), float64(g8), float64(b8)
	case s.gray != nil:
		v := float64(s.gray.Pix[s.gray.PixOffset(x, y)])
		return v, v, v
	}
	// Colour without premultiplied alpha, as the descriptor expects opaque
	// faces: NRGBA and friends report premultiplied values from RGBA().
	c := color.NRGBAModel.Convert(s.img.At(x, y)).(color.NRGBA)
	return float64(c.R), float64(c.G), float64(c.B)
}

// at samples bilinearly at (x, y) in pixel-centre coordinates relative to the
// bounds' corner. Points more than half a pixel outside are black; the
// comparisons are written so that NaN lands there too.
func (s sampler) at(x, y float64) (r, g, b uint8) {
	w, h := s.b.Dx(), s.b.Dy()
	if !(x >= -0.5 && y >= -0.5 && x <= float64(w)-0.5 && y <= float64(h)-0.5) {
		return 0, 0, 0
	}
	x = math.Max(0, math.Min(x, float64(w-1)))
	y = math.Max(0, math.Min(y, float64(h-1)))
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	fx, fy := x-float64(x0), y-float64(y0)
	r00, g00, b00 := s.pixel(x0, y0)
	r10, g10, b10 := s.pixel(x1, y0)
	r01, g01, b01 := s.pixel(x0, y1)
	r11, g11, b11 := s.pixel(x1, y1)
	mix := func(a, b, c, d float64) uint8 {
		top := a + (b-a)*fx
		bot := c + (d-c)*fx
		return uint8(math.Round(top + (bot-top)*fy))
	}
	return mix(r00, r10, r01, r11), mix(g00, g10, g01, g11), mix(b00, b10, b01, b11)
}
