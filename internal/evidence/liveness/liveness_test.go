package liveness_test

import (
	"crypto/rand"
	"image"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/face"
	"github.com/vigil-gw/vigil/internal/evidence/face/facenet"
	"github.com/vigil-gw/vigil/internal/evidence/liveness"
	"github.com/vigil-gw/vigil/internal/evidence/liveness/livenesstest"
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
	im, err := livenesstest.Load(faces + name)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

func jitter(t *testing.T, im image.Image, n int) []byte {
	t.Helper()
	b, err := livenesstest.Encode(im, n)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type poses = livenesstest.Poses

var place = livenesstest.Place

func amy(t *testing.T) (image.Image, poses) {
	t.Helper()
	n, p, err := livenesstest.Amy(faces)
	if err != nil {
		t.Fatal(err)
	}
	return n, p
}

func burst(t *testing.T, c *liveness.Challenge, neutral image.Image, p poses, perStep int, gap time.Duration) *liveness.Burst {
	t.Helper()
	b, err := livenesstest.Burst(c, neutral, p, perStep, gap)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var testCfg = liveness.Config{MinFrames: 4, MinStep: 100 * time.Millisecond}

func challenge(t *testing.T, now time.Time) *liveness.Challenge {
	t.Helper()
	c, err := liveness.NewChallenge(rand.Reader, now, testCfg)
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
	r := liveness.Check(c, burst(t, c, neutral, p, 2, 120*time.Millisecond), m, ref, now.Add(5*time.Second), testCfg)
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
	r = liveness.Check(c2, burst(t, c2, neutral, p, 2, 120*time.Millisecond), m, other, now, testCfg)
	if r.Passed || !slices.Contains(r.Reasons, liveness.ReasonFaceMismatch) {
		t.Fatalf("someone else's portrait: %v", r)
	}
}

func TestSpoofsFail(t *testing.T) {
	m := testMatcher(t)
	now := time.Now()
	neutral, p := amy(t)
	still := poses{liveness.TurnLeft: neutral, liveness.TurnRight: neutral, liveness.LookUp: neutral, liveness.MoveCloser: neutral}
	for _, tc := range []struct {
		name string
		make func(c *liveness.Challenge) *liveness.Burst
		want string
	}{
		{"a still photo, re-encoded every frame", func(c *liveness.Challenge) *liveness.Burst {
			return burst(t, c, neutral, still, 2, 120*time.Millisecond)
		}, liveness.ReasonPromptPrefix},
		{"identical frames", func(c *liveness.Challenge) *liveness.Burst {
			b := burst(t, c, neutral, still, 2, 120*time.Millisecond)
			for i := range b.Frames {
				b.Frames[i].Image = b.Frames[0].Image
			}
			return b
		}, liveness.ReasonStill},
		{"another face midway", func(c *liveness.Challenge) *liveness.Burst {
			// Penny turning where Amy should: the second prompt's frames.
			c.Prompts = []liveness.Prompt{liveness.TurnRight, liveness.TurnLeft, liveness.MoveCloser}
			q := poses{liveness.TurnRight: p[liveness.TurnRight], liveness.TurnLeft: place(load(t, "penny/penny2.png"), 1), liveness.MoveCloser: p[liveness.MoveCloser]}
			return burst(t, c, neutral, q, 2, 120*time.Millisecond)
		}, liveness.ReasonFaceChanged},
		{"prompts in another order", func(c *liveness.Challenge) *liveness.Burst {
			q := poses{c.Prompts[0]: p[c.Prompts[1]], c.Prompts[1]: p[c.Prompts[2]], c.Prompts[2]: p[c.Prompts[0]]}
			return burst(t, c, neutral, q, 2, 120*time.Millisecond)
		}, liveness.ReasonPromptPrefix},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := challenge(t, now)
			r := liveness.Check(c, tc.make(c), m, nil, now, testCfg)
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
		c    *liveness.Challenge
		b    func() *liveness.Burst
		at   time.Time
		want string
	}{
		{"replayed burst (another challenge)", challenge(t, now), func() *liveness.Burst { return good }, now, liveness.ReasonNonce},
		{"no challenge", nil, func() *liveness.Burst { return good }, now, liveness.ReasonNonce},
		{"after the deadline", c, func() *liveness.Burst { return good }, c.Deadline.Add(time.Second), liveness.ReasonExpired},
		{"too few frames", c, func() *liveness.Burst { return &liveness.Burst{Nonce: c.Nonce, Frames: good.Frames[:2]} }, now, liveness.ReasonFrames},
		{"faster than a camera", c, func() *liveness.Burst {
			b := *good
			b.Frames = slices.Clone(good.Frames)
			for i := range b.Frames {
				b.Frames[i].Offset = time.Duration(i) * 5 * time.Millisecond
			}
			return &b
		}, now, liveness.ReasonTiming},
		{"a prompt never shown", c, func() *liveness.Burst {
			b := *good
			b.Frames = slices.DeleteFunc(slices.Clone(good.Frames), func(f liveness.Frame) bool { return f.Step == 2 })
			return &b
		}, now, liveness.ReasonFrames},
		{"steps out of order", c, func() *liveness.Burst {
			b := *good
			b.Frames = slices.Clone(good.Frames)
			b.Frames[1].Step = 3
			return &b
		}, now, liveness.ReasonFrames},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := liveness.Check(tc.c, tc.b(), m, nil, tc.at, testCfg)
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
		if r := liveness.Check(c, bu, m, nil, now, testCfg); !r.Passed {
			b.Fatal(r)
		}
	}
}
