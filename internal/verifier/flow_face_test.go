package verifier

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-gw/vigil/internal/evidence/chip/chiptest"
	"github.com/vigil-gw/vigil/internal/evidence/face"
	"github.com/vigil-gw/vigil/internal/evidence/face/facenet"
)

var (
	faceOnce    sync.Once
	faceMatcher *face.Matcher
	faceErr     error
)

func testFaces(t *testing.T) *face.Matcher {
	t.Helper()
	faceOnce.Do(func() {
		var n *facenet.Net
		if n, faceErr = facenet.LoadEmbedded(); faceErr == nil {
			faceMatcher, faceErr = face.New(face.Config{Net: n})
		}
	})
	if faceErr != nil {
		t.Fatal(faceErr)
	}
	return faceMatcher
}

// photo loads a test face (150x150 PNG crops) as a JPEG.
func photo(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../../shared/testdata/faces/" + name)
	if err != nil {
		t.Fatal(err)
	}
	im, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(im.Bounds())
	for y := im.Bounds().Min.Y; y < im.Bounds().Max.Y; y++ {
		for x := im.Bounds().Min.X; x < im.Bounds().Max.X; x++ {
			rgba.Set(x, y, im.At(x, y))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestChipFaceComparison: with a face matcher the selfie is compared with
// the chip's portrait; the numbers reach the record and the reasons.
func TestChipFaceComparison(t *testing.T) {
	for _, tc := range []struct {
		name, selfie string
		decision     string
		reason       string
	}{
		{"same person", "amy/amy1.png", "match", ""},
		{"someone else", "penny/penny2.png", "no-match", ReasonFaceMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, st := chipEnv(t, func(c *Config) { c.Faces = testFaces(t) })
			b, rd := chipStepPage(t, e, "anna@corp.example")
			c, err := st.Issue(chiptest.DocumentOptions{MRZ: holderMRZ(), Portrait: photo(t, "amy/amy3.png"), AA: chiptest.AARSA})
			if err != nil {
				t.Fatal(err)
			}
			ch := rd.challenge()
			if code, out := rd.upload(c, ch, ch); code != http.StatusOK {
				t.Fatalf("upload: %d %v", code, out)
			}
			// A selfie without a face is refused and nothing is stored.
			if st, body := b.upload("/selfie", selfieJPEG(t)); st != http.StatusUnprocessableEntity || !strings.Contains(body, `data-reason="face-none"`) {
				t.Fatalf("faceless selfie: %d %s", st, body)
			}
			if st, body := b.upload("/selfie", photo(t, tc.selfie)); st != http.StatusOK || !strings.Contains(body, "Waiting for review") {
				t.Fatalf("selfie: %d %s", st, body)
			}
			rec := verificationOf(t, e, b)
			s, err := decodeSteps(rec.Steps)
			if err != nil {
				t.Fatal(err)
			}
			if s.Face == nil || s.Face.Reference != KindChipPortrait || s.Face.Decision != tc.decision || s.Face.Distance <= 0 {
				t.Fatalf("face step %+v", s.Face)
			}
			if got := slices.Contains(rec.Reasons, ReasonFaceMismatch); got != (tc.reason == ReasonFaceMismatch) {
				t.Fatalf("reasons %v", rec.Reasons)
			}
			ev, _ := e.db.ListEvidence(context.Background(), rec.ID)
			if len(ev) != 4 {
				t.Fatalf("%d evidence items", len(ev))
			}
			t.Logf("%s: distance %.3f", tc.name, s.Face.Distance)
		})
	}
}
