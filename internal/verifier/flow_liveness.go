package verifier

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/liveness"
	"github.com/vigil-gw/vigil/internal/store"
)

// The liveness step: instead of one still selfie, the page captures a burst
// of frames while showing the server's random prompts (internal/evidence/
// liveness). It needs a face matcher; without a camera the still selfie
// remains, and the reviewer sees that liveness was not checked.

// Limits of a burst upload.
const (
	maxBurstFrames    = 40
	maxBurstFrame     = 2 << 20
	maxBurstBytes     = 24 << 20
	maxLivenessTries  = 3
	ReasonNoLiveness  = "liveness-not-checked"
	livenessStepShown = 1500 * time.Millisecond // how long the page shows each prompt
)

// livenessStep is the burst's challenge while pending, then the result.
type livenessStep struct {
	Challenge *liveness.Challenge `json:"challenge,omitempty"`
	Attempts  int                 `json:"attempts,omitempty"`
	Result    *liveness.Result    `json:"result,omitempty"`
}

func (l *livenessStep) passed() bool { return l != nil && l.Result != nil && l.Result.Passed }

// livenessChallenge issues a challenge for the page (JSON).
func (v *Verifier) livenessChallenge(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	if v.cfg.Faces == nil || !v.selfieReady(b) || b.steps.Selfie != nil {
		return errStepOrder
	}
	if l := b.steps.Liveness; l != nil && l.Attempts >= maxLivenessTries {
		return writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": "too_many_attempts",
			"message": "Liveness could not be confirmed. Upload a photo below instead; a reviewer will check it."})
	}
	c, err := liveness.NewChallenge(v.cfg.Rand, v.cfg.Clock(), liveness.Config{})
	if err != nil {
		return err
	}
	if _, err := v.mutate(r.Context(), b.rec.ID, func(_ *store.Verification, s *steps) error {
		if s.Liveness == nil {
			s.Liveness = &livenessStep{}
		}
		s.Liveness.Challenge = c
		return nil
	}); err != nil {
		return err
	}
	prompts := make([]map[string]string, len(c.Prompts))
	for i, p := range c.Prompts {
		prompts[i] = map[string]string{"id": string(p), "text": promptText[p]}
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"nonce": base64.StdEncoding.EncodeToString(c.Nonce), "prompts": prompts,
		"step_ms": livenessStepShown.Milliseconds(), "expires_in": int(c.Deadline.Sub(c.IssuedAt).Seconds()),
	})
}

// promptText is what the page shows for each prompt.
var promptText = map[liveness.Prompt]string{
	liveness.TurnLeft:   "Turn your head to your left",
	liveness.TurnRight:  "Turn your head to your right",
	liveness.LookUp:     "Look up",
	liveness.MoveCloser: "Move closer to the camera",
}

// burstMeta is the JSON part of a burst upload.
type burstMeta struct {
	Nonce  string `json:"nonce"`
	Frames []struct {
		OffsetMS float64 `json:"offset_ms"`
		Step     int     `json:"step"`
	} `json:"frames"`
}

// readBurst reads the multipart burst: a "meta" JSON part, then the frames
// as "frame" parts in capture order.
func readBurst(w http.ResponseWriter, r *http.Request) (*liveness.Burst, []byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBurstBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, errUploadBroken.with(err)
	}
	var meta *burstMeta
	var frames [][]byte
	var assertion []byte
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, uploadErr(err)
		}
		switch part.FormName() {
		case "meta":
			meta = &burstMeta{}
			if err := json.NewDecoder(io.LimitReader(part, 64<<10)).Decode(meta); err != nil {
				return nil, nil, errUploadBroken.with(err)
			}
		case "assertion":
			if assertion, err = io.ReadAll(io.LimitReader(part, 64<<10)); err != nil {
				return nil, nil, uploadErr(err)
			}
		case "frame":
			if len(frames) == maxBurstFrames {
				return nil, nil, errUploadTooLarge
			}
			data, err := io.ReadAll(io.LimitReader(part, maxBurstFrame+1))
			if err != nil {
				return nil, nil, uploadErr(err)
			}
			if len(data) > maxBurstFrame || sniffImage(data) == "" {
				return nil, nil, errUploadType
			}
			frames = append(frames, data)
		}
	}
	if meta == nil || len(meta.Frames) != len(frames) || len(frames) == 0 {
		return nil, nil, errUploadMissing
	}
	nonce, err := base64.StdEncoding.DecodeString(meta.Nonce)
	if err != nil {
		return nil, nil, errUploadBroken.with(err)
	}
	b := &liveness.Burst{Nonce: nonce}
	for i, f := range meta.Frames {
		b.Frames = append(b.Frames, liveness.Frame{Image: frames[i],
			Offset: time.Duration(f.OffsetMS * float64(time.Millisecond)), Step: f.Step})
	}
	return b, assertion, nil
}

// livenessBurst checks a burst. The challenge is spent first, whatever the
// outcome, so a burst can be tried once. A passed burst becomes the selfie
// (its first frame) and sends the verification to review.
func (v *Verifier) livenessBurst(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	if v.cfg.Faces == nil || !v.selfieReady(b) || b.steps.Selfie != nil {
		return errStepOrder
	}
	burst, assertion, err := readBurst(w, r)
	var ue *userError
	if errors.As(err, &ue) {
		return writeJSON(w, ue.status, map[string]any{"error": ue.reason, "message": ue.msg})
	}
	if err != nil {
		return err
	}
	var challenge *liveness.Challenge
	if _, err := v.mutate(r.Context(), b.rec.ID, func(_ *store.Verification, s *steps) error {
		if s.Liveness != nil {
			challenge, s.Liveness.Challenge = s.Liveness.Challenge, nil
			s.Liveness.Attempts++
		}
		return nil
	}); err != nil {
		return err
	}
	// A bound verification's burst must be signed by its device.
	frames := make([][]byte, len(burst.Frames))
	for i, f := range burst.Frames {
		frames[i] = f.Image
	}
	if reason, err := v.verifyCapture(r, b, frames, burst.Nonce, assertion); err != nil {
		return err
	} else if reason != "" {
		v.cfg.Logger.InfoContext(r.Context(), "verifier: burst not signed by the bound device", "verification", b.rec.ID, "reason", reason)
		return writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": "capture_refused", "reasons": []string{reason},
			"messages": []string{"The pictures could not be confirmed as taken on this device. Start again on the device you began with."}})
	}
	ref, kind, id, err := v.reference(r.Context(), b.steps)
	if err != nil {
		return err
	}
	now := v.cfg.Clock()
	res := liveness.Check(challenge, burst, v.cfg.Faces, ref, now, liveness.Config{})
	// A live person who clearly is not the chip's holder: nothing to retry.
	mismatchOnly := !res.Passed && len(res.Reasons) == 1 && res.Reasons[0] == liveness.ReasonFaceMismatch
	if !res.Passed && !(mismatchOnly && v.cfg.AutoDecide && kind == KindChipPortrait) {
		if _, err := v.mutate(r.Context(), b.rec.ID, func(_ *store.Verification, s *steps) error {
			if s.Liveness != nil {
				s.Liveness.Result = res
			}
			return nil
		}); err != nil {
			return err
		}
		v.cfg.Logger.InfoContext(r.Context(), "verifier: liveness failed", "verification", b.rec.ID, "reasons", res.Reasons)
		msgs := make([]string, len(res.Reasons))
		for i, reason := range res.Reasons {
			msgs[i] = explainReason(reason)
		}
		return writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": "liveness_failed", "reasons": res.Reasons, "messages": msgs})
	}
	selfie := burst.Frames[0].Image
	evID, err := v.putEvidence(r.Context(), b.rec, KindSelfie, sniffImage(selfie), selfie)
	if err != nil {
		return err
	}
	fs := v.faceStepOf(kind, id, res.Reference)
	if res.First != nil {
		if err := v.withSelfie(r.Context(), fs, b.rec, res.First, v.documentKey(b.steps)); err != nil {
			return err
		}
	}
	decision := ""
	if _, err := v.mutate(r.Context(), b.rec.ID, func(rec *store.Verification, s *steps) error {
		if rec.Status != store.VerificationStarted || s.Selfie != nil {
			return errStepOrder
		}
		s.Selfie = &selfieStep{EvidenceID: evID, At: now}
		s.Liveness.Result = res
		s.Face = fs
		s.FinishedAt = now
		v.toReview(rec, s)
		var err error
		decision, err = v.decide(r.Context(), rec, s, mismatchOnly)
		return err
	}); err != nil {
		return err
	}
	v.cfg.Logger.InfoContext(r.Context(), "verifier: liveness passed", "verification", b.rec.ID, "automated_decision", decision)
	v.reportDuplicate(r.Context(), b.rec, fs)
	return writeJSON(w, http.StatusOK, map[string]any{"passed": res.Passed, "next": v.op.Path("/status") + "?id=" + b.id})
}

func writeJSON(w http.ResponseWriter, status int, body any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(body)
}
