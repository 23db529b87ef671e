package detect

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"sort"
)

// pupCascade is one of pigo's pupil or landmark cascades (the "puploc"
// format of Markuš et al., "Eye pupil localization with an ensemble of
// randomized trees", 2014): stages of regression trees, each tree comparing
// pairs of pixels around the current estimate and voting a move.
//
// It is evaluated here rather than with pigo's PuplocCascade.RunDetector,
// which draws its start jitter from math/rand's global source (so the same
// image gives different landmarks on every call) and takes its median from
// pooled buffers that hold stale results unless exactly 63 starts are used.
// This evaluator uses a fixed set of jittered starts: the same image gives
// the same landmarks, which the golden file, Align's callers and the
// descriptor's match statistics rely on.
type pupCascade struct {
	stages, trees, depth int
	shrink               float32 // scale multiplier after each stage
	codes                []int8  // per tree: 4 bytes per internal node (r1, c1, r2, c2)
	preds                []float32
}

// parsePupCascade reads the binary format: stages, scale multiplier, trees
// per stage and tree depth (little-endian u32, f32, u32, u32), then for
// every tree its node codes and its leaves' (row, column) moves as float32.
func parsePupCascade(b []byte) (*pupCascade, error) {
	if len(b) < 16 {
		return nil, errors.New("puploc cascade: short header")
	}
	le := binary.LittleEndian
	pc := &pupCascade{
		stages: int(le.Uint32(b[0:])),
		shrink: math.Float32frombits(le.Uint32(b[4:])),
		trees:  int(le.Uint32(b[8:])),
		depth:  int(le.Uint32(b[12:])),
	}
	if pc.depth < 1 || pc.depth > 12 || pc.stages < 1 || pc.stages > 64 || pc.trees < 1 || pc.trees > 1<<12 {
		return nil, errors.New("puploc cascade: implausible header")
	}
	nodes, leaves := 1<<pc.depth-1, 1<<pc.depth
	n := pc.stages * pc.trees
	if len(b) != 16+n*(4*nodes+8*leaves) {
		return nil, errors.New("puploc cascade: size does not match header")
	}
	pc.codes = make([]int8, 0, n*4*nodes)
	pc.preds = make([]float32, 0, n*2*leaves)
	pos := 16
	for range n {
		for _, v := range b[pos : pos+4*nodes] {
			pc.codes = append(pc.codes, int8(v))
		}
		pos += 4 * nodes
		for range 2 * leaves {
			pc.preds = append(pc.preds, math.Float32frombits(le.Uint32(b[pos:])))
			pos += 4
		}
	}
	return pc, nil
}

// refine runs the cascade once from (r, c) at scale s (pixels) and returns
// the final estimate. mirror flips every column offset and column move, so
// a cascade trained on one side of the face finds the mirrored point.
func (pc *pupCascade) refine(p plane, r, c, s float32, mirror bool) (float32, float32, float32) {
	nodes, leaves := 1<<pc.depth-1, 1<<pc.depth
	flip := int8(1)
	if mirror {
		flip = -1
	}
	clamp := func(v, hi int) int { return max(0, min(v, hi)) }
	tree := 0
	for range pc.stages {
		var dr, dc float32
		is := int(math.Round(float64(s)))
		ir, ic := 256*int(r), 256*int(c)
		for range pc.trees {
			code := pc.codes[tree*4*nodes:]
			idx := 0
			for range pc.depth {
				n := code[4*idx:]
				r1 := clamp((ir+int(n[0])*is)>>8, p.h-1)
				c1 := clamp((ic+int(flip*n[1])*is)>>8, p.w-1)
				r2 := clamp((ir+int(n[2])*is)>>8, p.h-1)
				c2 := clamp((ic+int(flip*n[3])*is)>>8, p.w-1)
				idx = 2*idx + 1
				if p.pix[r1*p.w+c1] > p.pix[r2*p.w+c2] {
					idx++
				}
			}
			leaf := 2 * (tree*leaves + idx - nodes)
			dr += pc.preds[leaf]
			dc += float32(flip) * pc.preds[leaf+1]
			tree++
		}
		r += dr * s
		c += dc * s
		s *= pc.shrink
	}
	return r, c, s
}

// starts is the fixed jitter of the starting points: offsets in units of the
// start scale (row, column, within +-7.5%) and a scale factor (0.925 to
// 1.075), the spread pigo uses, drawn once from a fixed seed.
var starts = func() [][3]float32 {
	rng := rand.New(rand.NewPCG(0x5eed, 0xface))
	out := make([][3]float32, 63)
	for i := range out {
		out[i] = [3]float32{0.15 * (0.5 - rng.Float32()), 0.15 * (0.5 - rng.Float32()), 0.925 + 0.15*rng.Float32()}
	}
	return out
}()

// locate runs the cascade from every jittered start around (r, c) at scale
// s and returns the per-coordinate median: a single run can wander off, the
// median of many does not.
func (pc *pupCascade) locate(p plane, r, c, s float32, mirror bool) Point {
	rows := make([]float64, len(starts))
	cols := make([]float64, len(starts))
	for i, j := range starts {
		fr, fc, _ := pc.refine(p, r+s*j[0], c+s*j[1], s*j[2], mirror)
		rows[i], cols[i] = float64(fr), float64(fc)
	}
	sort.Float64s(rows)
	sort.Float64s(cols)
	m := len(starts) / 2
	return Point{X: cols[m], Y: rows[m]}
}
