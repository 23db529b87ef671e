// Package livenesstest builds synthetic liveness bursts from real face
// photos with geometric transforms, for tests: a mirrored photo is the
// same person turned the other way, a scaled-up photo the person closer to
// the camera. Every frame is re-encoded with one pixel changed, so no two
// are the same bytes, as no two camera frames are.
package livenesstest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/liveness"
)

// Poses maps each prompt to a frame showing it.
type Poses map[liveness.Prompt]image.Image

// Load reads a PNG.
func Load(path string) (image.Image, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return png.Decode(bytes.NewReader(b))
}

// Amy returns a neutral frame and a frame per prompt of one person from
// shared/testdata/faces (facesDir): amy2 looks straight, amy1 is turned to
// her right, its mirror to her left, amy4 looks up, amy2 scaled 1.35 is
// closer.
func Amy(facesDir string) (image.Image, Poses, error) {
	var ims [3]image.Image
	for i, n := range []string{"amy1.png", "amy2.png", "amy4.png"} {
		im, err := Load(filepath.Join(facesDir, "amy", n))
		if err != nil {
			return nil, nil, err
		}
		ims[i] = im
	}
	return Place(ims[1], 1), Poses{
		liveness.TurnRight: Place(ims[0], 1), liveness.TurnLeft: Place(Mirror(ims[0]), 1),
		liveness.LookUp: Place(ims[2], 1), liveness.MoveCloser: Place(ims[1], 1.35),
	}, nil
}

// Mirror flips an image left to right.
func Mirror(im image.Image) image.Image {
	b := im.Bounds()
	out := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(b.Max.X-1-(x-b.Min.X), y, im.At(x, y))
		}
	}
	return out
}

// Place draws an image scaled by k (nearest neighbour) in the middle of a
// grey 320x320 frame (the test faces are 150x150 crops).
func Place(im image.Image, k float64) image.Image {
	const side = 320
	out := image.NewRGBA(image.Rect(0, 0, side, side))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.Gray{128}), image.Point{}, draw.Src)
	b := im.Bounds()
	w, h := int(float64(b.Dx())*k), int(float64(b.Dy())*k)
	x0, y0 := (side-w)/2, (side-h)/2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.Set(x0+x, y0+y, im.At(b.Min.X+int(float64(x)/k), b.Min.Y+int(float64(y)/k)))
		}
	}
	return out
}

// Encode writes im as PNG with pixel (n, 0) changed.
func Encode(im image.Image, n int) ([]byte, error) {
	out := image.NewRGBA(im.Bounds())
	draw.Draw(out, out.Bounds(), im, im.Bounds().Min, draw.Src)
	out.Set(out.Bounds().Min.X+n%out.Bounds().Dx(), out.Bounds().Min.Y, color.RGBA{uint8(n * 37), 0, 0, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Burst follows c's prompts: perStep frames of the neutral image, then of
// each prompt's pose, gap apart.
func Burst(c *liveness.Challenge, neutral image.Image, p Poses, perStep int, gap time.Duration) (*liveness.Burst, error) {
	b := &liveness.Burst{Nonce: c.Nonce}
	var at time.Duration
	add := func(im image.Image, step int) error {
		if im == nil {
			return fmt.Errorf("livenesstest: no pose for step %d", step)
		}
		for range perStep {
			data, err := Encode(im, len(b.Frames))
			if err != nil {
				return err
			}
			b.Frames = append(b.Frames, liveness.Frame{Image: data, Offset: at, Step: step})
			at += gap
		}
		return nil
	}
	if err := add(neutral, 0); err != nil {
		return nil, err
	}
	for i, pr := range c.Prompts {
		if err := add(p[pr], i+1); err != nil {
			return nil, err
		}
	}
	return b, nil
}
