package liveness

import (
	"bytes"
	"crypto/rand"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/face"
	"github.com/vigil-gw/vigil/internal/evidence/face/facenet"
)

const faces = "../../../../shared/testdata/faces/"

var (
	once    sync.Once
	matcher *face.Matcher
	loadErr error
)

func testMatcher(t *testing.T) *face.Matcher {
	t.Helper()
	once.Do(func() {
		var n *facenet.Net
		if n, loadErr = facenet.LoadEmbedded(); loadErr == nil {
			matcher, loadErr = face.New(face.Config{Net: n})
		}
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return matcher
}

func load(t *testing.T, name string) image.Image {
	t.Helper()
	b, err := os.ReadFile(faces + name)
	if err != nil {
		t.Fatal(err)
	}
	im, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// mirror flips an image left to right: the same person turned the other way.
func mirror(im image.Image) image.Image {
	b := im.Bounds()
	out := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(b.Max.X-1-(x-b.Min.X), y, im.At(x, y))
		}
	}
	return out
}

// place draws an image scaled by k (nearest neighbour) in the middle of
// a grey 320x320 frame, as a camera frame with the face in it: k > 1 is the
// person closer to the camera. (The test faces are 150x150 crops.)
func place(im image.Image, k float64) image.Image {
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

// jitter re-encodes with one pixel changed, so no two frames are the same
// bytes, as no two real camera frames are.
func jitter(t *testing.T, im image.Image, n int) []byte {
	t.Helper()
	out := image.NewRGBA(im.Bounds())
	draw.Draw(out, out.Bounds(), im, im.Bounds().Min, draw.Src)
	out.Set(out.Bounds().Min.X+n, out.Bounds().Min.Y, color.RGBA{uint8(n * 37), 0, 0, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// poses are real photos of one person (amy): amy2 looks straight, amy1 is
// turned to her left-of-image (her right), its mirror to her left, amy4
// looks up; the zoomed amy2 is closer.
type poses map[Prompt]image.Image

func amy(t *testing.T) (neutral image.Image, p poses) {
	a1 := load(t, "amy/amy1.png")
	n := load(t, "amy/amy2.png")
	return place(n, 1), poses{TurnRight: place(a1, 1), TurnLeft: place(mirror(a1), 1),
		LookUp: place(load(t, "amy/amy4.png"), 1), MoveCloser: place(n, 1.35)}
}

// burst builds frames following c's prompts with the given pose images,
// perStep frames per step, gap apart.
func burst(t *testing.T, c *Challenge, neutral image.Image, p poses, perStep int, gap time.Duration) *Burst {
	t.Helper()
	b := &Burst{Nonce: c.Nonce}
	var at time.Duration
	n := 0
	add := func(im image.Image, step int) {
		for range perStep {
			b.Frames = append(b.Frames, Frame{Image: jitter(t, im, n), Offset: at, Step: step})
			at += gap
			n++
		}
	}
	add(neutral, 0)
	for i, pr := range c.Prompts {
		add(p[pr], i+1)
	}
	return b
}

var testCfg = Config{MinFrames: 4, MinStep: 100 * time.Millisecond}

func challenge(t *testing.T, now time.Time) *Challenge {
	t.Helper()
	c, err := NewChallenge(rand.Reader, now, testCfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFollowedPromptsPass(t *testing.T) {
	m := testMatcher(t)
	now := time.Now()
	neutral, p := amy(t)
	c := challenge(t, now)
	ref, err := m.Describe(jitter(t, place(load(t, "amy/amy3.png"), 1), 0))
	if err != nil {
		t.Fatal(err)
	}
	r := Check(c, burst(t, c, neutral, p, 2, 120*time.Millisecond), m, ref, now.Add(5*time.Second), testCfg)
	t.Logf("%v prompts %+v", r, r.Prompts)
	if !r.Passed {
		t.Fatalf("a burst that follows the prompts failed: %v", r.Reasons)
	}
	if r.Reference == nil || r.Reference.Decision != face.Match {
		t.Fatalf("reference %+v", r.Reference)
	}

	// The same burst against a reference of someone else.
	other, err := m.Describe(jitter(t, place(load(t, "penny/penny2.png"), 1), 0))
	if err != nil {
		t.Fatal(err)
	}
	c2 := challenge(t, now)
	r = Check(c2, burst(t, c2, neutral, p, 2, 120*time.Millisecond), m, other, now, testCfg)
	if r.Passed || !slices.Contains(r.Reasons, ReasonFaceMismatch) {
		t.Fatalf("someone else's portrait: %v", r)
	}
}

func TestSpoofsFail(t *testing.T) {
	m := testMatcher(t)
	now := time.Now()
	neutral, p := amy(t)
	still := poses{TurnLeft: neutral, TurnRight: neutral, LookUp: neutral, MoveCloser: neutral}
	for _, tc := range []struct {
		name string
		make func(c *Challenge) *Burst
		want string
	}{
		{"a still photo, re-encoded every frame", func(c *Challenge) *Burst {
			return burst(t, c, neutral, still, 2, 120*time.Millisecond)
		}, reasonPromptPrefix},
		{"identical frames", func(c *Challenge) *Burst {
			b := burst(t, c, neutral, still, 2, 120*time.Millisecond)
			for i := range b.Frames {
				b.Frames[i].Image = b.Frames[0].Image
			}
			return b
		}, ReasonStill},
		{"another face midway", func(c *Challenge) *Burst {
			// Penny turning where Amy should: the second prompt's frames.
			c.Prompts = []Prompt{TurnRight, TurnLeft, MoveCloser}
			q := poses{TurnRight: p[TurnRight], TurnLeft: place(load(t, "penny/penny2.png"), 1), MoveCloser: p[MoveCloser]}
			return burst(t, c, neutral, q, 2, 120*time.Millisecond)
		}, ReasonFaceChanged},
		{"prompts in another order", func(c *Challenge) *Burst {
			q := poses{c.Prompts[0]: p[c.Prompts[1]], c.Prompts[1]: p[c.Prompts[2]], c.Prompts[2]: p[c.Prompts[0]]}
			return burst(t, c, neutral, q, 2, 120*time.Millisecond)
		}, reasonPromptPrefix},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := challenge(t, now)
			r := Check(c, tc.make(c), m, nil, now, testCfg)
			t.Logf("%v %+v", r, r.Prompts)
			if r.Passed || !slices.ContainsFunc(r.Reasons, func(s string) bool { return strings.HasPrefix(s, tc.want) }) {
				t.Fatalf("got %v, want a %s failure", r.Reasons, tc.want)
			}
		})
	}
}

// TestBurstChecksBeforeFaces: refusals that need no face analysis; the
// analyzer is the real matcher but is never reached.
func TestBurstChecksBeforeFaces(t *testing.T) {
	m := testMatcher(t)
	now := time.Now()
	neutral, p := amy(t)
	c := challenge(t, now)
	good := burst(t, c, neutral, p, 2, 120*time.Millisecond)
	for _, tc := range []struct {
		name string
		c    *Challenge
		b    func() *Burst
		at   time.Time
		want string
	}{
		{"replayed burst (another challenge)", challenge(t, now), func() *Burst { return good }, now, ReasonNonce},
		{"no challenge", nil, func() *Burst { return good }, now, ReasonNonce},
		{"after the deadline", c, func() *Burst { return good }, c.Deadline.Add(time.Second), ReasonExpired},
		{"too few frames", c, func() *Burst { return &Burst{Nonce: c.Nonce, Frames: good.Frames[:2]} }, now, ReasonFrames},
		{"faster than a camera", c, func() *Burst {
			b := *good
			b.Frames = slices.Clone(good.Frames)
			for i := range b.Frames {
				b.Frames[i].Offset = time.Duration(i) * 5 * time.Millisecond
			}
			return &b
		}, now, ReasonTiming},
		{"a prompt never shown", c, func() *Burst {
			b := *good
			b.Frames = slices.DeleteFunc(slices.Clone(good.Frames), func(f Frame) bool { return f.Step == 2 })
			return &b
		}, now, ReasonFrames},
		{"steps out of order", c, func() *Burst {
			b := *good
			b.Frames = slices.Clone(good.Frames)
			b.Frames[1].Step = 3
			return &b
		}, now, ReasonFrames},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Check(tc.c, tc.b(), m, nil, tc.at, testCfg)
			if r.Passed || !slices.Contains(r.Reasons, tc.want) {
				t.Fatalf("got %v, want %s", r.Reasons, tc.want)
			}
		})
	}
}

func TestChallengesDiffer(t *testing.T) {
	now := time.Now()
	orders := map[string]bool{}
	for range 50 {
		c := challenge(t, now)
		if len(c.Prompts) != 3 || len(c.Nonce) != 16 || !c.Deadline.After(now) {
			t.Fatalf("challenge %+v", c)
		}
		var s []string
		for _, p := range c.Prompts {
			s = append(s, string(p))
		}
		orders[strings.Join(s, ",")] = true
	}
	if len(orders) < 5 {
		t.Fatalf("only %d prompt orders in 50 challenges", len(orders))
	}
}

// BenchmarkCheck20 is the benchmark: a whole 20-frame liveness
// check (5 frames per step, 320x320 PNG frames, every frame described).
func BenchmarkCheck20(b *testing.B) {
	t := &testing.T{}
	m := testMatcher(t)
	now := time.Now()
	neutral, p := amy(t)
	c := challenge(t, now)
	bu := burst(t, c, neutral, p, 5, 80*time.Millisecond)
	if len(bu.Frames) != 20 {
		b.Fatalf("%d frames", len(bu.Frames))
	}
	b.ResetTimer()
	for range b.N {
		if r := Check(c, bu, m, nil, now, testCfg); !r.Passed {
			b.Fatal(r)
		}
	}
}
