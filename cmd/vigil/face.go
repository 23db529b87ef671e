package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/vigil-gw/vigil/internal/evidence/face"
	"github.com/vigil-gw/vigil/internal/evidence/face/detect"
	"github.com/vigil-gw/vigil/internal/evidence/face/facenet"
)

const faceUsage = `Usage: vigil face compare [flags] IMAGE_A IMAGE_B

Finds the one face in each image (JPEG or PNG), aligns it, computes its
128-d descriptor (face-api.js's port of dlib's ResNet, weights built in) and
prints the distance between the two, the threshold and the decision:
  match       distance <= threshold - margin
  borderline  within margin of the threshold: a person should decide
  no-match    distance > threshold + margin
Exit status: 0 match, 1 borderline or no match, 2 an error (no face, several
faces, an unreadable image, bad flags). The threshold and how it was chosen
are in docs/face-match.md. A match says nothing about liveness: a photo of a
photo matches.

Flags:
`

// faceReport is the --output json form.
type faceReport struct {
	A      faceSide    `json:"a"`
	B      faceSide    `json:"b"`
	Result face.Result `json:"result"`
}

type faceSide struct {
	File               string      `json:"file"`
	Box                [4]int      `json:"box"` // x0, y0, x1, y1
	LandmarkConfidence float64     `json:"landmark_confidence"`
	Pose               detect.Pose `json:"pose"`
	Probe              *face.Probe `json:"-"`
}

func cmdFace(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "compare" {
		fmt.Fprint(stderr, faceUsage)
		return usageError{errors.New("want: face compare IMAGE_A IMAGE_B")}
	}
	fs := newFlags("face compare", "vigil face compare [flags] IMAGE_A IMAGE_B", stderr)
	fs.Usage = func() { fmt.Fprint(stderr, faceUsage); fs.PrintDefaults() }
	threshold := fs.Float64("threshold", face.DefaultThreshold, "distance at or below which the faces are the same person")
	margin := fs.Float64("margin", face.DefaultMargin, "half-width of the borderline band around the threshold")
	output := fs.String("output", "text", "output format: text or json")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageError{errors.New("want two images: vigil face compare IMAGE_A IMAGE_B")}
	}
	if *output != "text" && *output != "json" {
		return usageError{errors.New("--output must be text or json")}
	}
	net, err := facenet.LoadEmbedded()
	if err != nil {
		return fmt.Errorf("load the face descriptor model: %w", err)
	}
	m, err := face.New(face.Config{Net: net, Threshold: float32(*threshold), Margin: float32(*margin)})
	if err != nil {
		return usageError{err}
	}
	var sides [2]faceSide
	for i, path := range fs.Args() {
		img, err := os.ReadFile(path)
		if err != nil {
			return usageError{err}
		}
		p, err := m.Describe(img)
		if r := detect.ReasonOf(err); r != "" {
			return usageError{fmt.Errorf("%s: %s: %s", path, r, r.Message())}
		}
		if err != nil {
			return usageError{fmt.Errorf("%s: %w", path, err)}
		}
		b := p.Face.Box
		sides[i] = faceSide{File: path, Box: [4]int{b.Min.X, b.Min.Y, b.Max.X, b.Max.Y},
			LandmarkConfidence: p.Face.LandmarkConfidence, Pose: p.Face.Pose, Probe: p}
	}
	res := m.Compare(sides[0].Probe, sides[1].Probe)
	if *output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(faceReport{A: sides[0], B: sides[1], Result: res}); err != nil {
			return err
		}
	} else {
		for i, s := range sides {
			fmt.Fprintf(stdout, "%c: %s: face %dx%d at (%d,%d), landmark confidence %.2f\n", 'A'+i, s.File,
				s.Box[2]-s.Box[0], s.Box[3]-s.Box[1], s.Box[0], s.Box[1], s.LandmarkConfidence)
		}
		fmt.Fprintf(stdout, "distance %.3f, threshold %.2f (borderline %.2f to %.2f)\ndecision: %s\n",
			res.Distance, res.Threshold, res.Threshold-res.Margin, res.Threshold+res.Margin, res.Decision)
	}
	if res.Decision != face.Match {
		return errReported
	}
	return nil
}
