package liveness

import "time"

// Config holds the thresholds. Zero fields take the defaults.
type Config struct {
	// Prompts per challenge (default 3 of the 4).
	Prompts int
	// Lifetime is how long a challenge may be answered (default 60 s).
	Lifetime time.Duration
	// MinFrames and MaxFrames bound a burst (default 6 and 40).
	MinFrames, MaxFrames int
	// MinFrameGap is the least time between two frames' capture times
	// (default 30 ms: about the fastest a phone camera delivers frames).
	MinFrameGap time.Duration
	// MinStep is the least time each step (neutral, then every prompt)
	// spans from its first to its last frame (default 300 ms), so that a
	// person had time to react.
	MinStep time.Duration
	// YawDelta and PitchDelta are the turns (degrees) a prompt needs
	// relative to the neutral frames (defaults 12 and 8: well above the
	// pose estimate's frame-to-frame jitter, well below a real turn).
	YawDelta, PitchDelta float64
	// CloserRatio is how much larger the face must get for move-closer
	// (default 1.15).
	CloserRatio float64
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defF := func(v *float64, d float64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Prompts, 3)
	defD(&c.Lifetime, time.Minute)
	def(&c.MinFrames, 6)
	def(&c.MaxFrames, 40)
	defD(&c.MinFrameGap, 30*time.Millisecond)
	defD(&c.MinStep, 300*time.Millisecond)
	defF(&c.YawDelta, 12)
	defF(&c.PitchDelta, 8)
	defF(&c.CloserRatio, 1.15)
	return c
}
