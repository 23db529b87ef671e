package verifier

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	xdraw "golang.org/x/image/draw"
)

// encodeY4M writes frames as a YUV4MPEG2 stream: 4:2:0 (C420jpeg, chroma
// sited between the luma samples), studio-range BT.601 Y'CbCr, which is what
// Chromium's --use-file-for-fake-video-capture reads as I420.
func encodeY4M(frames []image.Image, fps int) ([]byte, error) {
	if len(frames) == 0 {
		return nil, fmt.Errorf("y4m: no frames")
	}
	if fps <= 0 {
		return nil, fmt.Errorf("y4m: frame rate %d", fps)
	}
	size := frames[0].Bounds().Size()
	if size.X <= 0 || size.Y <= 0 || size.X%2 != 0 || size.Y%2 != 0 {
		return nil, fmt.Errorf("y4m: %dx%d: 4:2:0 needs even, non-zero dimensions", size.X, size.Y)
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg\n", size.X, size.Y, fps)
	w, h := size.X, size.Y
	lum := make([]byte, w*h)
	cb := make([]byte, w*h/4)
	cr := make([]byte, w*h/4)
	for i, f := range frames {
		if f.Bounds().Size() != size {
			return nil, fmt.Errorf("y4m: frame %d is %v, not %v", i, f.Bounds().Size(), size)
		}
		origin := f.Bounds().Min
		for y := 0; y < h; y += 2 {
			for x := 0; x < w; x += 2 {
				var sb, sr int
				for _, d := range [4]image.Point{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
					r, g, b := rgb8(f.At(origin.X+x+d.X, origin.Y+y+d.Y))
					lum[(y+d.Y)*w+x+d.X] = byte(studioY(r, g, b))
					pb, pr := studioC(r, g, b)
					sb, sr = sb+pb, sr+pr
				}
				// Chroma of the 2x2 block: the rounded mean of its four samples.
				cb[(y/2)*(w/2)+x/2] = byte((sb + 2) / 4)
				cr[(y/2)*(w/2)+x/2] = byte((sr + 2) / 4)
			}
		}
		buf.WriteString("FRAME\n")
		buf.Write(lum)
		buf.Write(cb)
		buf.Write(cr)
	}
	return buf.Bytes(), nil
}

// rgb8 returns the 8-bit colour of c (the frames are opaque, so alpha
// premultiplication changes nothing).
func rgb8(c color.Color) (r, g, b int) {
	r32, g32, b32, _ := c.RGBA()
	return int(r32 >> 8), int(g32 >> 8), int(b32 >> 8)
}

// studioY and studioC are ITU-R BT.601 in 8-bit integer form: Y' in
// [16, 235], Cb and Cr in [16, 240]. The shifts of negative sums are
// arithmetic (floor), as in the reference formulas.
func studioY(r, g, b int) int { return ((66*r + 129*g + 25*b + 128) >> 8) + 16 }

func studioC(r, g, b int) (cb, cr int) {
	return ((-38*r - 74*g + 112*b + 128) >> 8) + 128, ((112*r - 94*g - 18*b + 128) >> 8) + 128
}

// cameraBackground is the wall behind the face in the fake video: a colour
// (not grey) so that a capture can be told apart from a blank or test-
// pattern frame, and so that chroma is exercised.
var cameraBackground = color.RGBA{R: 0x4a, G: 0x7a, B: 0xb0, A: 0xff}

// Fake camera geometry: 320x240, the face scaled to 200 pixels and centred.
const (
	cameraW, cameraH = 320, 240
	cameraFace       = 200
)

// faceFrames renders n frames of the face on the background, drifting by a
// pixel a frame so that the stream is a video and not a still.
func faceFrames(face image.Image, n int) []image.Image {
	scaled := image.NewRGBA(image.Rect(0, 0, cameraFace, cameraFace))
	xdraw.CatmullRom.Scale(scaled, scaled.Bounds(), face, face.Bounds(), xdraw.Src, nil)
	frames := make([]image.Image, n)
	for i := range frames {
		img := image.NewRGBA(image.Rect(0, 0, cameraW, cameraH))
		draw.Draw(img, img.Bounds(), image.NewUniform(cameraBackground), image.Point{}, draw.Src)
		at := image.Pt((cameraW-cameraFace)/2+i%4-2, (cameraH-cameraFace)/2)
		draw.Draw(img, scaled.Bounds().Add(at), scaled, image.Point{}, draw.Src)
		frames[i] = img
	}
	return frames
}

// facesDir is shared/testdata/faces beside the clone (CI copies it there).
const facesDir = "../../../shared/testdata/faces"

// testFace loads one face crop; outside CI a missing directory skips.
func testFace(t testing.TB) image.Image {
	t.Helper()
	path := filepath.Join(facesDir, "penny", "penny1.png")
	data, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("face crops are required in CI (shared/ beside the clone): %v", err)
		}
		t.Skipf("no face crops at %s (shared/testdata beside the clone): %v", facesDir, err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func TestEncodeY4M(t *testing.T) {
	solid := func(w, h int, c color.Color) image.Image {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
		return img
	}
	for _, c := range []struct {
		name       string
		c          color.Color
		y, cb, cr  byte
		wantHeader string
	}{
		{"white", color.White, 235, 128, 128, "YUV4MPEG2 W4 H2 F30:1 Ip A1:1 C420jpeg\n"},
		{"black", color.Black, 16, 128, 128, ""},
		{"red", color.RGBA{255, 0, 0, 255}, 82, 90, 240, ""},
		{"green", color.RGBA{0, 255, 0, 255}, 144, 54, 34, ""},
		{"blue", color.RGBA{0, 0, 255, 255}, 41, 240, 110, ""},
		{"grey", color.Gray{128}, 126, 128, 128, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := encodeY4M([]image.Image{solid(4, 2, c.c), solid(4, 2, c.c)}, 30)
			if err != nil {
				t.Fatal(err)
			}
			header, rest, ok := strings.Cut(string(out), "\n")
			if !ok || (c.wantHeader != "" && header+"\n" != c.wantHeader) {
				t.Fatalf("header %q", header)
			}
			frame := "FRAME\n" + string(bytes.Repeat([]byte{c.y}, 8)) + string(bytes.Repeat([]byte{c.cb}, 2)) + string(bytes.Repeat([]byte{c.cr}, 2))
			if rest != frame+frame {
				t.Fatalf("frames % x, want % x twice", rest, frame)
			}
		})
	}

	// A mixed 2x2 block keeps each pixel's luma and averages its chroma.
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	img.Set(1, 1, color.RGBA{0, 0, 255, 255})
	img.Set(1, 0, color.Black)
	img.Set(0, 1, color.Black)
	out, err := encodeY4M([]image.Image{img}, 25)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(out), "\n")
	if want := "FRAME\n" + string([]byte{82, 16, 16, 41, (90 + 128 + 128 + 240 + 2) / 4, (240 + 128 + 128 + 110 + 2) / 4}); rest != want {
		t.Fatalf("mixed block % x, want % x", rest, want)
	}

	for _, c := range []struct {
		name   string
		frames []image.Image
		fps    int
	}{
		{"no frames", nil, 30},
		{"odd width", []image.Image{solid(3, 2, color.White)}, 30},
		{"odd height", []image.Image{solid(4, 3, color.White)}, 30},
		{"empty", []image.Image{solid(0, 0, color.White)}, 30},
		{"sizes differ", []image.Image{solid(4, 2, color.White), solid(2, 2, color.White)}, 30},
		{"no frame rate", []image.Image{solid(4, 2, color.White)}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := encodeY4M(c.frames, c.fps); err == nil {
				t.Fatal("no error")
			}
		})
	}
}
