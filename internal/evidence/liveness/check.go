package liveness

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/face"
	"github.com/vigil-gw/vigil/internal/evidence/face/detect"
)

// Analyzer finds the one face in a frame, describes it, and compares faces
// (*face.Matcher implements it).
type Analyzer interface {
	Locate(img []byte) (*face.Located, error)
	DescribeLocated(l *face.Located) (*face.Probe, error)
	Compare(a, b *face.Probe) face.Result
}

var _ Analyzer = (*face.Matcher)(nil)

// Frame is one captured frame.
type Frame struct {
	Image []byte // JPEG or PNG
	// Offset is the capture time since the burst's first frame, by the
	// client's clock (performance.now()).
	Offset time.Duration
	// Step is 0 for frames taken before the first prompt, i while the
	// challenge's i-th prompt (1-based) was shown.
	Step int
}

// Burst is what the page sends.
type Burst struct {
	Nonce  []byte
	Frames []Frame
}

// Reasons.
const (
	ReasonNonce        = "liveness-nonce"        // not this challenge's burst (replay or forgery)
	ReasonExpired      = "liveness-expired"      // answered after the deadline
	ReasonFrames       = "liveness-frames"       // too few or too many frames, or a step without frames
	ReasonTiming       = "liveness-timing"       // capture times implausible
	ReasonStill        = "liveness-still-frames" // byte-identical frames: a looped still image
	ReasonNoFace       = "liveness-no-face"      // a frame without exactly one usable face
	ReasonFaceChanged  = "liveness-face-changed" // not the same face throughout
	ReasonFaceMismatch = "liveness-face-mismatch"
	ReasonBorderline   = "liveness-face-borderline" // the reference match needs a person
	ReasonPromptPrefix = "liveness-prompt:"         // + the prompt not followed
)

// PromptResult is how one prompt went: the best movement seen in its step
// and what was required (degrees, or a size ratio for move-closer).
type PromptResult struct {
	Prompt   Prompt  `json:"prompt"`
	Passed   bool    `json:"passed"`
	Measured float64 `json:"measured"`
	Required float64 `json:"required"`
}

// Result is the outcome of Check, with the numbers behind it for the
// evidence record and the reviewer.
type Result struct {
	Passed  bool           `json:"passed"`
	Reasons []string       `json:"reasons,omitempty"`
	Frames  int            `json:"frames"`
	Prompts []PromptResult `json:"prompts,omitempty"`
	// Spread is the largest distance of a frame's face from the first
	// frame's; Reference is the comparison of the first frame with the
	// reference portrait, when one was given.
	Spread    float32      `json:"spread"`
	Reference *face.Result `json:"reference,omitempty"`
	// First is the first frame's face, described: the identity the burst
	// showed (nil when the burst failed before faces were described).
	First *face.Probe `json:"-"`
	// NoFace lists the frames without exactly one usable face.
	NoFace []FrameError `json:"no_face,omitempty"`
}

// FrameError names a frame and why its face could not be used
// (a detect reason such as face-none, or "" for another failure).
type FrameError struct {
	Frame  int    `json:"frame"`
	Reason string `json:"reason"`
}

func (r *Result) fail(reason string) {
	if !slices.Contains(r.Reasons, reason) {
		r.Reasons = append(r.Reasons, reason)
	}
}

// Check decides a burst. reference may be nil (no portrait to match). The
// caller must delete c after one Check, whatever the result.
func Check(c *Challenge, b *Burst, an Analyzer, reference *face.Probe, now time.Time, cfg Config) *Result {
	cfg = cfg.withDefaults()
	r := &Result{Frames: len(b.Frames)}
	switch {
	case c == nil || !c.answers(b.Nonce):
		r.fail(ReasonNonce)
		return r
	case now.After(c.Deadline):
		r.fail(ReasonExpired)
		return r
	case len(b.Frames) < cfg.MinFrames || len(b.Frames) > cfg.MaxFrames:
		r.fail(ReasonFrames)
		return r
	}
	if !checkTiming(c, b.Frames, cfg, r) {
		return r
	}
	located, ok := locateAll(b.Frames, an, r)
	if !ok {
		return r
	}
	// Every frame that decides something is described: the first neutral
	// frame (the identity) and, per prompt, the frame that showed the
	// movement. They must all be the same face.
	deciding := append([]int{0}, checkPrompts(c, b.Frames, located, cfg, r)...)
	probes, ok := describe(located, deciding, an, r)
	if !ok {
		return r
	}
	first := probes[0]
	r.First = first
	for _, p := range probes[1:] {
		res := an.Compare(first, p)
		r.Spread = max(r.Spread, res.Distance)
		if res.Decision == face.NoMatch {
			r.fail(ReasonFaceChanged)
		}
	}
	if reference != nil {
		res := an.Compare(reference, first)
		r.Reference = &res
		switch res.Decision {
		case face.NoMatch:
			r.fail(ReasonFaceMismatch)
		case face.Borderline:
			r.fail(ReasonBorderline)
		}
	}
	r.Passed = len(r.Reasons) == 0
	return r
}

// checkTiming checks the frames' order, steps and capture times.
func checkTiming(c *Challenge, frames []Frame, cfg Config, r *Result) bool {
	seen := map[[32]byte]bool{}
	span := make([][2]time.Duration, len(c.Prompts)+1) // first and last offset per step
	for i := range span {
		span[i] = [2]time.Duration{-1, -1}
	}
	for i, f := range frames {
		if f.Step < 0 || f.Step > len(c.Prompts) || (i > 0 && f.Step < frames[i-1].Step) {
			r.fail(ReasonFrames)
			return false
		}
		if i == 0 && f.Offset != 0 || i > 0 && f.Offset-frames[i-1].Offset < cfg.MinFrameGap {
			r.fail(ReasonTiming)
			return false
		}
		h := sha256.Sum256(f.Image)
		if seen[h] {
			r.fail(ReasonStill)
		}
		seen[h] = true
		s := &span[f.Step]
		if s[0] < 0 {
			s[0] = f.Offset
		}
		s[1] = f.Offset
	}
	for _, s := range span {
		if s[0] < 0 {
			r.fail(ReasonFrames) // a step without frames: a prompt never shown
			return false
		}
		if s[1]-s[0] < cfg.MinStep {
			r.fail(ReasonTiming)
		}
	}
	if frames[len(frames)-1].Offset > c.Deadline.Sub(c.IssuedAt) {
		r.fail(ReasonTiming)
	}
	// Still frames are reported but the faces are still judged, so the
	// record says what else was wrong; bad framing or timing stops here.
	return !slices.ContainsFunc(r.Reasons, func(s string) bool { return s == ReasonTiming || s == ReasonFrames })
}

// locateAll finds the face in every frame, two frames at a time.
func locateAll(frames []Frame, an Analyzer, r *Result) ([]*face.Located, bool) {
	out := make([]*face.Located, len(frames))
	errs := parallel(len(frames), func(i int) (err error) {
		out[i], err = an.Locate(frames[i].Image)
		return err
	})
	for i, err := range errs {
		if err != nil {
			r.NoFace = append(r.NoFace, FrameError{Frame: i, Reason: string(detect.ReasonOf(err))})
		}
	}
	if len(r.NoFace) > 0 {
		r.fail(ReasonNoFace)
		return nil, false
	}
	return out, true
}

// describe computes the descriptors of the frames idx names, in order.
func describe(located []*face.Located, idx []int, an Analyzer, r *Result) ([]*face.Probe, bool) {
	out := make([]*face.Probe, len(idx))
	errs := parallel(len(idx), func(i int) (err error) {
		out[i], err = an.DescribeLocated(located[idx[i]])
		return err
	})
	for i, err := range errs {
		if err != nil {
			r.NoFace = append(r.NoFace, FrameError{Frame: idx[i], Reason: string(detect.ReasonOf(err))})
		}
	}
	if len(r.NoFace) > 0 {
		r.fail(ReasonNoFace)
		return nil, false
	}
	return out, true
}

// parallel runs fn(0..n-1) on two goroutines: the machines this runs on
// have few cores, and each call is already CPU-bound.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(2, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}

// checkPrompts compares each prompt's frames with the neutral frames and
// returns, per prompt, the frame that moved most.
func checkPrompts(c *Challenge, frames []Frame, located []*face.Located, cfg Config, r *Result) []int {
	var yaw0, pitch0, size0 []float64
	for i, f := range frames {
		if f.Step == 0 {
			p := located[i].Face
			yaw0, pitch0, size0 = append(yaw0, p.Pose.Yaw), append(pitch0, p.Pose.Pitch), append(size0, float64(p.Size()))
		}
	}
	base := struct{ yaw, pitch, size float64 }{median(yaw0), median(pitch0), median(size0)}
	var bestFrames []int
	for k, pr := range c.Prompts {
		res := PromptResult{Prompt: pr}
		best, bestFrame := -1e9, -1
		for i, f := range frames {
			if f.Step != k+1 {
				continue
			}
			p := located[i].Face
			var m float64
			switch pr {
			case TurnLeft:
				m = p.Pose.Yaw - base.yaw
			case TurnRight:
				m = base.yaw - p.Pose.Yaw
			case LookUp:
				m = p.Pose.Pitch - base.pitch
			case MoveCloser:
				m = float64(p.Size()) / base.size
			}
			if m > best {
				best, bestFrame = m, i
			}
		}
		bestFrames = append(bestFrames, bestFrame)
		switch pr {
		case TurnLeft, TurnRight:
			res.Required = cfg.YawDelta
		case LookUp:
			res.Required = cfg.PitchDelta
		case MoveCloser:
			res.Required = cfg.CloserRatio
		}
		res.Measured = best
		res.Passed = best >= res.Required
		if !res.Passed {
			r.fail(ReasonPromptPrefix + string(pr))
		}
		r.Prompts = append(r.Prompts, res)
	}
	return bestFrames
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// String summarises a result for logs (no image data).
func (r *Result) String() string {
	return fmt.Sprintf("liveness passed=%v frames=%d spread=%.3f reasons=%v no_face=%v", r.Passed, r.Frames, r.Spread, r.Reasons, r.NoFace)
}
