package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	chromium "github.com/vigil-gw/vigil/internal/testenv/browser"
)

// TestBrowserVerificationFlow runs the document-review rung in headless
// Chromium, from the relying party's login to its callback: email code from
// mailpit, passport photo through the file input, selfie from Chromium's
// fake camera playing a Y4M video of a real face, review, ID token.
func TestBrowserVerificationFlow(t *testing.T) {
	chromium.Need(t)
	face := testFace(t)
	const hint = "alice@example.com"
	began := time.Now()
	step := func(name string) {
		t.Logf("%-28s %v", name, time.Since(began).Round(time.Millisecond))
	}

	dir := t.TempDir()
	video, err := encodeY4M(faceFrames(face, 8), 15)
	if err != nil {
		t.Fatal(err)
	}
	videoPath := filepath.Join(dir, "face.y4m")
	writeFile(t, videoPath, video)
	passportPNG, mrzLines := validPassport(t)
	passportPath := filepath.Join(dir, "passport.png")
	writeFile(t, passportPath, passportPNG)
	step("fixtures")

	rp := newTestRP(t, hint)
	e := newEnv(t, func(c *Config) {
		c.Clients = append(c.Clients, rp.client())
		c.AllowedEmailDomains = []string{"example.com"}
	})
	rp.discover(t, e.v.Issuer())
	step("verifier, RP, mailpit")

	c := startChrome(t, videoPath, 90*time.Second)
	step("chromium")

	c.toSelfie(e, rp, hint, passportPath, mrzLines, step)

	camera := c.cameraReady(10 * time.Second)
	if camera {
		c.Screenshot("selfie-camera")
		c.Do("take the photo", chromedp.Click(chromedp.CSS(`#camera button`)))
	} else {
		// The issue allows the fallback, but the camera is what it asks for
		// and it works in CI's Chromium: there, a camera that does not start
		// is a regression. Elsewhere, say loudly that it was not exercised.
		if os.Getenv("CI") == "true" {
			c.Fail("start the fake camera", errors.New("camera.js did not show a playing preview"))
		}
		t.Log("FALLBACK: the fake camera did not start in headless Chromium; uploading the selfie through the file input")
		selfiePath := filepath.Join(dir, "selfie.jpg")
		writeFile(t, selfiePath, jpegOf(t, faceFrames(face, 1)[0]))
		c.Screenshot("selfie-file")
		c.Do("choose the selfie", chromedp.SetUploadFiles(chromedp.ID("image"), []string{selfiePath}),
			chromedp.Click(chromedp.CSS(`#selfie-form button[type=submit]`)))
	}
	c.waitTitle("Waiting for review", 15*time.Second)
	c.Screenshot("waiting")
	step("selfie")

	e.checkSelfie(t, camera)
	e.approveAll(t)
	step("approved")

	// The waiting page refreshes itself (every 5 s) and then goes on to the RP.
	st := c.waitTitle("Signed in", 15*time.Second)
	if !strings.HasPrefix(st.URL, rp.URL+"/callback?") {
		t.Fatalf("landed on %s", st.URL)
	}
	c.Screenshot("rp")
	step("RP callback")

	out, err := chromedp.Run(c.Context(), chromedp.Text(chromedp.ID("claims")))
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal([]byte(out), &claims); err != nil {
		t.Fatalf("RP output %q: %v", out, err)
	}
	if claims["acr"] != RungDocumentReview || claims["iss"] != e.v.Issuer() || claims["azp"] != rpClient ||
		claims["email"] != hint || claims["email_verified"] != true {
		t.Fatalf("claims %v", claims)
	}
	if aud, _ := claims["aud"].([]any); len(aud) != 1 || aud[0] != rpClient {
		t.Fatalf("aud %v", claims["aud"])
	}
	if amr, _ := claims["amr"].([]any); len(amr) != 1 || amr[0] != "otp" {
		t.Fatalf("amr %v", claims["amr"])
	}
	if at, _ := claims["auth_time"].(float64); int64(at) < began.Unix() || int64(at) > time.Now().Unix() {
		t.Fatalf("auth_time %v", claims["auth_time"])
	}
	vc, _ := claims["verified_claims"].(map[string]any)
	validateIDA(t, map[string]any{"sub": claims["sub"], "verified_claims": vc})
	got, _ := vc["claims"].(map[string]any)
	if got["family_name"] != "ERIKSSON" || got["given_name"] != "ANNA MARIA" || got["birthdate"] != "1974-08-12" {
		t.Fatalf("verified claims %v", got)
	}
	t.Logf("camera path: %v", camera) // chromium.Start logged where the screenshots are
}

// cameraReady waits for camera.js to show the preview with the fake video
// playing, and reports whether it did.
func (c *chrome) cameraReady(timeout time.Duration) bool {
	c.t.Helper()
	type cam struct {
		Shown   bool `json:"shown"`
		Width   int  `json:"width"`
		Height  int  `json:"height"`
		Ready   int  `json:"ready"`
		Playing bool `json:"playing"`
	}
	const read = `(() => {
		const root = document.getElementById("camera");
		const v = root && root.querySelector("video");
		return {shown: !!root && !root.hidden, width: v ? v.videoWidth : 0, height: v ? v.videoHeight : 0,
			ready: v ? v.readyState : 0, playing: !!v && !v.paused};
	})()`
	end := time.Now().Add(timeout)
	var last cam
	for time.Now().Before(end) {
		st, err := chromedp.Run(c.Context(), chromedp.Evaluate[cam](read))
		if err == nil && st.Shown && st.Width > 0 && st.Ready >= 2 && st.Playing {
			c.t.Logf("camera playing %dx%d, readyState %d", st.Width, st.Height, st.Ready)
			return true
		}
		if err == nil {
			last = st
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Logf("camera not ready after %v: %+v", timeout, last)
	return false
}

// checkSelfie checks that the stored selfie is the fake camera's picture:
// 320x240, the background colour in the corner, a face (not a flat frame)
// in the middle.
func (e *env) checkSelfie(t *testing.T, camera bool) {
	t.Helper()
	ctx := context.Background()
	q, err := e.v.Queue(ctx, 10)
	if err != nil || len(q) != 1 {
		t.Fatalf("queue: %v %d", err, len(q))
	}
	evs, err := e.db.ListEvidence(ctx, q[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range evs {
		if x.Kind != KindSelfie {
			continue
		}
		ct, data, err := e.v.Evidence(ctx, x.ID)
		if err != nil || ct != "image/jpeg" {
			t.Fatalf("selfie: %v %s", err, ct)
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != cameraW || b.Dy() != cameraH {
			t.Fatalf("selfie is %v, want the camera's %dx%d (camera path %v)", b, cameraW, cameraH, camera)
		}
		if d := colourDistance(img, image.Rect(2, 2, 30, 30)); d > 24 {
			t.Fatalf("selfie corner is %.0f away from the video's background: not our video", d)
		}
		if sd := lumaSpread(img, image.Rect(cameraW/2-50, cameraH/2-50, cameraW/2+50, cameraH/2+50)); sd < 10 {
			t.Fatalf("selfie centre is flat (luma sd %.1f): no face", sd)
		}
		return
	}
	t.Fatal("no selfie stored")
}

// colourDistance is the largest per-channel distance between the mean
// colour of r in img and cameraBackground.
func colourDistance(img image.Image, r image.Rectangle) float64 {
	var sr, sg, sb, n float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb := rgb8(img.At(x, y))
			sr, sg, sb, n = sr+float64(cr), sg+float64(cg), sb+float64(cb), n+1
		}
	}
	bg := cameraBackground
	return max(math.Abs(sr/n-float64(bg.R)), math.Abs(sg/n-float64(bg.G)), math.Abs(sb/n-float64(bg.B)))
}

// lumaSpread is the standard deviation of the luma over r.
func lumaSpread(img image.Image, r image.Rectangle) float64 {
	var s, s2, n float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb := rgb8(img.At(x, y))
			l := 0.299*float64(cr) + 0.587*float64(cg) + 0.114*float64(cb)
			s, s2, n = s+l, s2+l*l, n+1
		}
	}
	mean := s / n
	return math.Sqrt(max(s2/n-mean*mean, 0))
}

func jpegOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// toSelfie drives the flow in Chromium from the RP's login to the selfie
// page: the email code (read from mailpit) and the passport photo.
func (c *chrome) toSelfie(e *env, rp *testRP, hint, passportPath string, mrzLines []string, step func(string)) {
	t := c.t
	t.Helper()
	c.Do("open the RP", chromedp.Navigate(rp.URL+"/login"))
	st := c.waitTitle("Confirm your work email", 10*time.Second)
	if !strings.HasPrefix(st.URL, e.v.Issuer()+"/email?") {
		t.Fatalf("RP login led to %s", st.URL)
	}
	if addr, err := chromedp.Run(c.Context(), chromedp.Value(chromedp.ID("address"))); err != nil || addr != hint {
		t.Fatalf("address field %q (%v), want the login_hint", addr, err)
	}
	c.Screenshot("email")
	c.Do("send the code", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	c.waitTitle("Enter the code", 10*time.Second)
	code := e.browser().mailedCode(hint)
	c.Do("type the code", chromedp.SendKeys(chromedp.ID("code"), code))
	c.Screenshot("code")
	c.Do("confirm the code", chromedp.Click(chromedp.CSS(`form[action*="/email/verify"] button`)))
	c.waitTitle("Photograph your document", 10*time.Second)
	c.Screenshot("document")
	step("email code")

	c.Do("choose the passport photo", chromedp.SetUploadFiles(chromedp.ID("image"), []string{passportPath}))
	c.Do("upload it", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	st = c.waitPage("the document result", 30*time.Second, func(s pageState) bool {
		return s.Title == "Check your details" || s.Title == "Fix the scanned text"
	})
	if st.Title == "Fix the scanned text" {
		t.Log("OCR misread the MRZ: typing the correction")
		c.Screenshot("correct")
		c.Do("correct the MRZ", chromedp.SetValue(chromedp.ID("mrz"), strings.Join(mrzLines, "\n")),
			chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
		c.waitTitle("Check your details", 10*time.Second)
	}
	details, err := chromedp.Run(c.Context(), chromedp.Text(chromedp.CSS("dl")))
	if err != nil || !strings.Contains(details, "ERIKSSON") || !strings.Contains(details, "L898902C3") {
		t.Fatalf("document details %q (%v)", details, err)
	}
	c.Screenshot("document-ok")
	c.Do("continue", chromedp.Click(chromedp.CSS(`a.button`)))
	c.waitTitle("Take a selfie", 10*time.Second)
	step("document (OCR)")

}
