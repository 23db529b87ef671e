package verifier

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/capture"
	"github.com/vigil-gw/vigil/internal/evidence/chip/chiptest"
	"github.com/vigil-gw/vigil/internal/evidence/liveness"
	"github.com/vigil-gw/vigil/internal/evidence/liveness/livenesstest"
	"github.com/vigil-gw/vigil/internal/evidence/mrz"
	"github.com/vigil-gw/vigil/internal/store"
)

// livenessChallengeFor asks the verifier for a challenge as the page does.
func livenessChallengeFor(t *testing.T, b *browser) *liveness.Challenge {
	t.Helper()
	resp, body := b.do(http.MethodPost, b.path("/selfie/challenge"), "", nil)
	var out struct {
		Nonce   string `json:"nonce"`
		Prompts []struct {
			ID, Text string
		} `json:"prompts"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil {
		t.Fatalf("challenge: %d %s", resp.StatusCode, body)
	}
	nonce, _ := base64.StdEncoding.DecodeString(out.Nonce)
	c := &liveness.Challenge{Nonce: nonce}
	for _, p := range out.Prompts {
		if p.Text == "" {
			t.Fatalf("prompt %s without text", p.ID)
		}
		c.Prompts = append(c.Prompts, liveness.Prompt(p.ID))
	}
	return c
}

// postBurst uploads a burst as liveness.js does.
func postBurst(t *testing.T, b *browser, bu *liveness.Burst) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	meta := map[string]any{"nonce": base64.StdEncoding.EncodeToString(bu.Nonce)}
	var frames []map[string]any
	for _, f := range bu.Frames {
		frames = append(frames, map[string]any{"offset_ms": f.Offset.Milliseconds(), "step": f.Step})
	}
	meta["frames"] = frames
	mj, _ := json.Marshal(meta)
	w, _ := mw.CreateFormField("meta")
	w.Write(mj)
	for i, f := range bu.Frames {
		fw, _ := mw.CreateFormFile("frame", "frame"+string(rune('a'+i))+".png")
		fw.Write(f.Image)
	}
	mw.Close()
	resp, body := b.do(http.MethodPost, b.path("/selfie/burst"), mw.FormDataContentType(), &buf)
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("burst: %d %s", resp.StatusCode, body)
	}
	return resp.StatusCode, out
}

// TestLivenessStep: a burst that follows the prompts passes and becomes
// the selfie, matched to the chip portrait; a still one and a replayed one
// are refused.
func TestLivenessStep(t *testing.T) {
	e, st := chipEnv(t, func(c *Config) { c.Faces = testFaces(t) })
	b, rd := chipStepPage(t, e, "anna@corp.example")
	c, err := st.Issue(chiptest.DocumentOptions{MRZ: holderMRZ(), Portrait: photo(t, "amy/amy3.png"), AA: chiptest.AARSA})
	if err != nil {
		t.Fatal(err)
	}
	ch := rd.challenge()
	if code, out := rd.upload(c, ch, ch); code != http.StatusOK {
		t.Fatalf("chip: %d %v", code, out)
	}
	if _, body := b.do(http.MethodGet, b.path("/selfie"), "", nil); !strings.Contains(body, `id="liveness"`) {
		t.Fatalf("selfie page without liveness: %s", body)
	}
	neutral, poses, err := livenesstest.Amy("../../../shared/testdata/faces")
	if err != nil {
		t.Fatal(err)
	}

	// A still photo, re-encoded every frame: the prompts are not followed.
	lc := livenessChallengeFor(t, b)
	still := livenesstest.Poses{}
	for _, p := range liveness.AllPrompts {
		still[p] = neutral
	}
	bu, err := livenesstest.Burst(lc, neutral, still, 3, 150*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	code, out := postBurst(t, b, bu)
	if code != http.StatusUnprocessableEntity || !strings.Contains(strings.Join(anyStrings(out["reasons"]), ","), "liveness-prompt:") {
		t.Fatalf("still burst: %d %v", code, out)
	}
	// Replaying a burst: its challenge is spent.
	good, err := livenesstest.Burst(lc, neutral, poses, 3, 150*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if code, out := postBurst(t, b, good); code != http.StatusUnprocessableEntity || !slices.Contains(anyStrings(out["reasons"]), "liveness-nonce") {
		t.Fatalf("replayed challenge: %d %v", code, out)
	}

	// A fresh challenge followed: passes, and the verification goes to review.
	lc = livenessChallengeFor(t, b)
	good, err = livenesstest.Burst(lc, neutral, poses, 3, 150*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if code, out := postBurst(t, b, good); code != http.StatusOK || out["passed"] != true {
		t.Fatalf("followed burst: %d %v", code, out)
	}
	rec := verificationOf(t, e, b)
	s, err := decodeSteps(rec.Steps)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != "review" || s.Selfie == nil || !s.Liveness.passed() || s.Face == nil || s.Face.Decision != "match" || s.Face.Reference != KindChipPortrait {
		t.Fatalf("after liveness: %s %+v %+v", rec.Status, s.Liveness, s.Face)
	}
	if slices.Contains(rec.Reasons, ReasonNoLiveness) || slices.Contains(rec.Reasons, ReasonFaceMismatch) {
		t.Fatalf("reasons %v", rec.Reasons)
	}
	t.Logf("liveness %v; face distance %.3f", s.Liveness.Result, s.Face.Distance)
}

func anyStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// TestAutomatedDecision: on the chip rung, with the account holder's name
// from the gateway's signed hint, a passed liveness burst that matches the
// chip portrait is approved without a person (bvr in verified_claims), and
// a live face that clearly is not the chip's holder is rejected.
func TestAutomatedDecision(t *testing.T) {
	gw := newTestGateway(t)
	for _, tc := range []struct {
		name, portrait, status string
	}{
		{"approved", "amy/amy3.png", "approved"},
		{"rejected", "penny/penny2.png", "rejected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, st := chipEnv(t, func(c *Config) {
				c.Faces, c.AutoDecide, c.Hints = testFaces(t), true, gw.hints(c.Issuer)
			})
			hint := gw.mint(e.v.Issuer(), "anna@corp.example", "Anna Maria Eriksson", time.Now())
			b, rd := chipStepPageHint(t, e, hint, "anna@corp.example")
			c, err := st.Issue(chiptest.DocumentOptions{MRZ: holderMRZ(), Portrait: photo(t, tc.portrait), AA: chiptest.AARSA})
			if err != nil {
				t.Fatal(err)
			}
			ch := rd.challenge()
			if code, out := rd.upload(c, ch, ch); code != http.StatusOK {
				t.Fatalf("chip: %d %v", code, out)
			}
			neutral, poses, err := livenesstest.Amy("../../../shared/testdata/faces")
			if err != nil {
				t.Fatal(err)
			}
			bu, err := livenesstest.Burst(livenessChallengeFor(t, b), neutral, poses, 3, 150*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			if code, out := postBurst(t, b, bu); code != http.StatusOK {
				t.Fatalf("burst: %d %v", code, out)
			}
			rec := verificationOf(t, e, b)
			if string(rec.Status) != tc.status || rec.Reviewer != AutomatedReviewer {
				t.Fatalf("status %s by %q, reasons %v", rec.Status, rec.Reviewer, rec.Reasons)
			}
			_, body := b.do(http.MethodGet, b.path("/status"), "", nil)
			if tc.status == "rejected" {
				if !strings.Contains(body, ReasonFaceMismatch) || !strings.Contains(body, `id="continue"`) {
					t.Fatalf("rejected page: %s", body)
				}
				return
			}
			_, claims := b.token()
			ev := claims["verified_claims"].(map[string]any)["verification"].(map[string]any)["evidence"].([]any)[0].(map[string]any)
			var methods []string
			for _, c := range ev["check_details"].([]any) {
				methods = append(methods, c.(map[string]any)["check_method"].(string))
			}
			if strings.Join(methods, ",") != "vcrypt,vri,bvr" {
				t.Fatalf("check methods %v", methods)
			}
		})
	}
}

// TestDuplicateFace: one face behind two identities. The first verification
// is approved automatically and keeps the face; the second, with another
// document and name but the same face, is flagged and left to a reviewer.
func TestDuplicateFace(t *testing.T) {
	gw := newTestGateway(t)
	var reported []DuplicateFace
	e, st := chipEnv(t, func(c *Config) {
		c.Faces, c.AutoDecide, c.Hints = testFaces(t), true, gw.hints(c.Issuer)
		c.OnDuplicateFace = func(_ context.Context, d DuplicateFace) { reported = append(reported, d) }
	})
	neutral, poses, err := livenesstest.Amy("../../../shared/testdata/faces")
	if err != nil {
		t.Fatal(err)
	}
	run := func(addr, name string, doc func() *mrz.Document) *store.Verification {
		t.Helper()
		hint := gw.mint(e.v.Issuer(), addr, name, time.Now())
		b, rd := chipStepPageDoc(t, e, hint, addr, doc())
		c, err := st.Issue(chiptest.DocumentOptions{MRZ: doc(), Portrait: photo(t, "amy/amy3.png"), AA: chiptest.AARSA})
		if err != nil {
			t.Fatal(err)
		}
		ch := rd.challenge()
		if code, out := rd.upload(c, ch, ch); code != http.StatusOK {
			t.Fatalf("chip: %d %v", code, out)
		}
		bu, err := livenesstest.Burst(livenessChallengeFor(t, b), neutral, poses, 3, 150*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if code, out := postBurst(t, b, bu); code != http.StatusOK {
			t.Fatalf("burst: %d %v", code, out)
		}
		return verificationOf(t, e, b)
	}
	first := run("anna@corp.example", "Anna Maria Eriksson", holderMRZ)
	if first.Status != store.VerificationApproved {
		t.Fatalf("first: %s %v", first.Status, first.Reasons)
	}
	p, err := e.db.GetPerson(t.Context(), first.PersonSubject)
	if err != nil || len(p.Face) == 0 {
		t.Fatalf("person face: %v %d bytes", err, len(p.Face))
	}
	second := run("bo@corp.example", "Bo Lind", func() *mrz.Document {
		d := holderMRZ()
		d.Surname, d.GivenNames, d.DocumentNumber = "LIND", []string{"BO"}, "X12345678"
		return d
	})
	if second.Status != store.VerificationReview || !slices.Contains(second.Reasons, ReasonDuplicateFace) {
		t.Fatalf("second: %s %v", second.Status, second.Reasons)
	}
	s, _ := decodeSteps(second.Steps)
	if s.Face.Duplicate != first.PersonSubject {
		t.Fatalf("duplicate of %q, want %q", s.Face.Duplicate, first.PersonSubject)
	}
	// The gateway is told both accounts, for their risk; the first
	// verification, approved, reported nothing.
	want := DuplicateFace{Verification: second.ID, ClaimedEmail: "bo@corp.example",
		OtherSubject: first.PersonSubject, OtherEmails: []string{"anna@corp.example"}}
	if len(reported) != 1 || !reflect.DeepEqual(reported[0], want) {
		t.Fatalf("reported %+v, want one %+v", reported, want)
	}
}

// TestCaptureRefusesUnsignedBurst: once a device is bound, a burst without
// its signature (or with a broken one) is refused before any face check.
func TestCaptureRefusesUnsignedBurst(t *testing.T) {
	e, st := chipEnv(t, func(c *Config) { c.Faces = testFaces(t) })
	b, rd := chipStepPage(t, e, "anna@corp.example")
	c, err := st.Issue(chiptest.DocumentOptions{MRZ: holderMRZ(), Portrait: photo(t, "amy/amy3.png"), AA: chiptest.AARSA})
	if err != nil {
		t.Fatal(err)
	}
	ch := rd.challenge()
	if code, out := rd.upload(c, ch, ch); code != http.StatusOK {
		t.Fatalf("chip: %d %v", code, out)
	}
	rec := verificationOf(t, e, b)
	if _, err := e.v.mutate(t.Context(), rec.ID, func(_ *store.Verification, s *steps) error {
		s.Capture = &captureStep{Binding: &capture.Binding{CredentialID: []byte("bound credential")}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	neutral, poses, err := livenesstest.Amy("../../../shared/testdata/faces")
	if err != nil {
		t.Fatal(err)
	}
	bu, err := livenesstest.Burst(livenessChallengeFor(t, b), neutral, poses, 3, 150*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	code, out := postBurst(t, b, bu)
	if code != http.StatusUnprocessableEntity || out["error"] != "capture_refused" || !slices.Contains(anyStrings(out["reasons"]), "capture-unsigned") {
		t.Fatalf("unsigned burst: %d %v", code, out)
	}
	s, _ := decodeSteps(verificationOf(t, e, b).Steps)
	if s.Selfie != nil || s.Capture.signed() {
		t.Fatalf("an unsigned burst was taken: %+v", s.Capture)
	}
}
