package admintest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/vault"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// putEvidence seals and stores the test evidence as the verifier does
// (internal/verifier putEvidence) and returns each record's content by ID.
func putEvidence(t testing.TB, db *sqlite.DB, master []byte, now time.Time) map[string][]byte {
	t.Helper()
	vt, err := vault.New(master, nil)
	if err != nil {
		t.Fatal(err)
	}
	docJPEG := encodeImage(t, color.RGBA{R: 40, G: 90, B: 160, A: 255}, false)
	out := map[string][]byte{
		EvidenceDoc:      docJPEG,
		EvidenceSelfie:   encodeImage(t, color.RGBA{R: 220, G: 180, B: 150, A: 255}, true),
		EvidenceChipData: []byte(`{"dg1":"not an image"}`),
		EvidenceDone:     docJPEG,
	}
	for _, e := range []struct{ id, verification, kind, contentType string }{
		{EvidenceDoc, ReviewID, "document-front", "image/jpeg"},
		{EvidenceSelfie, ReviewID, "selfie", "image/png"},
		{EvidenceChipData, ReviewID, "chip-data", "application/json"},
		{EvidenceDone, DoneID, "document-front", "image/jpeg"},
	} {
		data := out[e.id]
		sealed, err := vt.Seal(e.id, e.kind, data)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if err := db.PutEvidence(t.Context(), &store.Evidence{ID: e.id, VerificationID: e.verification, Kind: e.kind,
			ContentType: e.contentType, Sealed: sealed, Size: len(data), SHA256: hex.EncodeToString(sum[:]),
			CreatedAt: now, DeleteAfter: now.Add(24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// encodeImage is a small image of one colour with a darker frame, as
// PNG or JPEG.
func encodeImage(t testing.TB, c color.RGBA, asPNG bool) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 32))
	for y := range 32 {
		for x := range 48 {
			px := c
			if x < 2 || y < 2 || x > 45 || y > 29 {
				px = color.RGBA{R: c.R / 3, G: c.G / 3, B: c.B / 3, A: 255}
			}
			img.SetRGBA(x, y, px)
		}
	}
	var b bytes.Buffer
	var err error
	if asPNG {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
