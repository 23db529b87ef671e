package detect

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.json from the current results")

const goldenFile = "testdata/golden.json"

// goldenFace is a Face as recorded, rounded to 0.1; Detect is deterministic,
// so everything must match to that rounding.
type goldenFace struct {
	Box       [4]int        `json:"box"`
	Score     float64       `json:"score"`
	Landmarks [5][2]float64 `json:"landmarks"` // left eye, right eye, nose, mouth left, mouth right
}

// landmarkTolerance only absorbs the rounding to 0.1 px (and floating-point
// differences between CPUs, which could flip a rounding).
const landmarkTolerance = 0.15

func toGolden(f Face) goldenFace {
	r := func(v float64) float64 { return math.Round(v*10) / 10 }
	g := goldenFace{
		Box:   [4]int{f.Box.Min.X, f.Box.Min.Y, f.Box.Max.X, f.Box.Max.Y},
		Score: r(float64(f.Score)),
	}
	for i, p := range []Point{f.LeftEye, f.RightEye, f.Nose, f.MouthLeft, f.MouthRight} {
		g.Landmarks[i] = [2]float64{r(p.X), r(p.Y)}
	}
	return g
}

func TestGolden(t *testing.T) {
	got := map[string][]goldenFace{}
	for _, name := range append(singles(t), groupPhoto) {
		faces, err := Detect(load(t, name), Options{Multiple: true})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, f := range faces {
			got[name] = append(got[name], toGolden(f))
		}
	}
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenFile, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", goldenFile)
		return
	}
	b, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	var want map[string][]goldenFace
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(got) {
		t.Errorf("%d photos in the golden file, %d tested", len(want), len(got))
	}
	for name, w := range want {
		g := got[name]
		if len(g) != len(w) {
			t.Errorf("%s: %d faces, golden %d", name, len(g), len(w))
			continue
		}
		for i := range w {
			if g[i].Box != w[i].Box || math.Abs(g[i].Score-w[i].Score) > 0.11 {
				t.Errorf("%s face %d: box %v score %.1f, golden %v %.1f", name, i, g[i].Box, g[i].Score, w[i].Box, w[i].Score)
			}
			for j := range w[i].Landmarks {
				d := math.Hypot(g[i].Landmarks[j][0]-w[i].Landmarks[j][0], g[i].Landmarks[j][1]-w[i].Landmarks[j][1])
				if d > landmarkTolerance {
					t.Errorf("%s face %d landmark %d: %v, golden %v", name, i, j, g[i].Landmarks[j], w[i].Landmarks[j])
				}
			}
		}
	}
}
