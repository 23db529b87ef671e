package verifier

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"net/http"

	"github.com/vigil-gw/vigil/internal/evidence/face"
	"github.com/vigil-gw/vigil/internal/evidence/face/detect"
	"github.com/vigil-gw/vigil/internal/evidence/face/facenet"
	"github.com/vigil-gw/vigil/internal/store"
)

// Reasons the face comparison adds for the reviewer.
const (
	ReasonDuplicateFace        = "duplicate-face"
	ReasonFaceBorderline       = "face-borderline"
	ReasonFaceMismatch         = "face-mismatch"
	ReasonFaceReferenceMissing = "face-reference-missing"
)

// faceStep is the automated comparison of the selfie with the ID portrait:
// numbers for the reviewer and the audit record.
type faceStep struct {
	// Reference is the portrait compared with: "chip-portrait" (signed by
	// the issuing state) or "document-front" (the photographed page); empty
	// when none had a usable face.
	Reference   string  `json:"reference,omitempty"`
	ReferenceID string  `json:"reference_id,omitempty"`
	Distance    float32 `json:"distance"`
	Threshold   float32 `json:"threshold"`
	Margin      float32 `json:"margin"`
	Decision    string  `json:"decision,omitempty"` // face.Match, face.Borderline, face.NoMatch
	// Sealed is the selfie's descriptor, sealed under the verification's
	// id; kept with the person on approval for duplicate checks.
	Sealed []byte `json:"sealed,omitempty"`
	// Duplicate is the subject of another verified person whose face
	// matches the selfie: one face behind several identities.
	Duplicate string `json:"duplicate,omitempty"`
}

// reason is what the comparison adds to the verification's reasons.
func (f *faceStep) reason() string {
	switch {
	case f == nil:
		return ""
	case f.Reference == "":
		return ReasonFaceReferenceMissing
	case f.Decision == string(face.NoMatch):
		return ReasonFaceMismatch
	case f.Decision == string(face.Borderline):
		return ReasonFaceBorderline
	}
	return ""
}

// describeSelfie finds the one face in a selfie. A selfie without a usable
// face is refused with the detector's words before anything is stored.
func (v *Verifier) describeSelfie(data []byte) (*face.Probe, error) {
	p, err := v.cfg.Faces.Describe(data)
	if r := detect.ReasonOf(err); r != "" {
		return nil, &userError{status: http.StatusUnprocessableEntity, title: "Take another selfie", msg: r.Message(), reason: string(r)}
	}
	return p, err
}

// reference describes the best portrait the verification holds: the
// chip's when it was read, else the document photo's. kind is "" when no
// portrait has a usable face.
func (v *Verifier) reference(ctx context.Context, s steps) (p *face.Probe, kind, id string, err error) {
	var refs [][2]string // kind, evidence id
	if s.Chip.accepted() {
		refs = append(refs, [2]string{KindChipPortrait, s.Chip.PortraitID})
	}
	if s.Document != nil {
		refs = append(refs, [2]string{KindDocument, s.Document.EvidenceID})
	}
	for _, ref := range refs {
		_, data, err := v.Evidence(ctx, ref[1])
		if err != nil {
			return nil, "", "", fmt.Errorf("verifier: load %s for face comparison: %w", ref[0], err)
		}
		p, err := v.cfg.Faces.DescribePortrait(data)
		if detect.ReasonOf(err) != "" {
			continue // no usable face in this portrait: try the next
		}
		if err != nil {
			return nil, "", "", err
		}
		return p, ref[0], ref[1], nil
	}
	return nil, "", "", nil
}

// faceStepOf records a comparison with the reference (nil res: no
// reference had a usable face).
func (v *Verifier) faceStepOf(kind, id string, res *face.Result) *faceStep {
	thr, margin := v.cfg.Faces.Threshold()
	out := &faceStep{Threshold: thr, Margin: margin}
	if res != nil {
		out.Reference, out.ReferenceID = kind, id
		out.Distance, out.Threshold, out.Margin, out.Decision = res.Distance, res.Threshold, res.Margin, string(res.Decision)
	}
	return out
}

// compareFace compares the selfie with the reference portrait.
func (v *Verifier) compareFace(ctx context.Context, s steps, selfie *face.Probe) (*faceStep, error) {
	ref, kind, id, err := v.reference(ctx, s)
	if err != nil || ref == nil {
		return v.faceStepOf("", "", nil), err
	}
	res := v.cfg.Faces.Compare(ref, selfie)
	return v.faceStepOf(kind, id, &res), nil
}

// Vault kinds of sealed face descriptors.
const (
	kindSelfieDescriptor = "selfie-descriptor" // sealed under the verification id
	kindPersonDescriptor = "person-face"       // sealed under the person's document key
)

func encodeDescriptor(d [facenet.Dimensions]float32) []byte {
	b := make([]byte, 4*len(d))
	for i, v := range d {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

func decodeDescriptor(b []byte) (d [facenet.Dimensions]float32, ok bool) {
	if len(b) != 4*len(d) {
		return d, false
	}
	for i := range d {
		d[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return d, true
}

// withSelfie seals the selfie's descriptor into fs and looks for another
// verified person with the same face (a laptop farm's signature: one
// person verifying several employee identities). docKey is the current
// document's key: re-verifying oneself is not a duplicate.
func (v *Verifier) withSelfie(ctx context.Context, fs *faceStep, rec *store.Verification, selfie *face.Probe, docKey string) error {
	sealed, err := v.vault.Seal(rec.ID, kindSelfieDescriptor, encodeDescriptor(selfie.Descriptor))
	if err != nil {
		return err
	}
	fs.Sealed = sealed
	people, err := v.db.ListPersonFaces(ctx)
	if err != nil {
		return fmt.Errorf("verifier: duplicate check: %w", err)
	}
	for _, p := range people {
		if p.DocumentKey == docKey {
			continue
		}
		raw, err := v.vault.Open(p.DocumentKey, kindPersonDescriptor, p.Face)
		if err != nil {
			v.cfg.Logger.WarnContext(ctx, "verifier: unreadable face descriptor", "subject", p.Subject, "error", err)
			continue
		}
		d, ok := decodeDescriptor(raw)
		if !ok {
			continue
		}
		if res := v.cfg.Faces.Compare(&face.Probe{Descriptor: d}, selfie); res.Decision != face.NoMatch {
			fs.Duplicate = p.Subject
			return nil
		}
	}
	return nil
}

// personFace reseals an approved verification's selfie descriptor for the
// person (nil when there is none).
func (v *Verifier) personFace(rec *store.Verification, s *steps, docKey string) ([]byte, error) {
	if s.Face == nil || len(s.Face.Sealed) == 0 {
		return nil, nil
	}
	raw, err := v.vault.Open(rec.ID, kindSelfieDescriptor, s.Face.Sealed)
	if err != nil {
		return nil, fmt.Errorf("verifier: selfie descriptor: %w", err)
	}
	return v.vault.Seal(docKey, kindPersonDescriptor, raw)
}

// documentKey identifies the verified document: the chip's when read.
func (v *Verifier) documentKey(s steps) string {
	f := s.Document.Fields
	if s.Chip.accepted() {
		f = s.Chip.Fields
	}
	return keyedHash(v.docKey, f.IssuingState, f.Number)
}
