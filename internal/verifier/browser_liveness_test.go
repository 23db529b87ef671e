package verifier

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	chromium "github.com/vigil-gw/vigil/internal/testenv/browser"
)

// TestBrowserLiveness runs liveness.js in headless Chromium with the fake
// camera: the page gets a challenge, shows the prompts while capturing,
// uploads the burst, and shows the server's reasons. The fake camera plays
// a still face, so the prompts cannot be followed: the burst must arrive
// whole and be refused for that, with the reasons on the page.
func TestBrowserLiveness(t *testing.T) { browserLiveness(t, false) }

// TestBrowserCaptureBinding is the same with a virtual platform
// authenticator (DevTools WebAuthn domain): the email page enrols it, the
// liveness page signs the burst with it, and the verifier checks that the
// burst it received is the one the bound device signed.
func TestBrowserCaptureBinding(t *testing.T) { browserLiveness(t, true) }

func browserLiveness(t *testing.T, authenticator bool) {
	chromium.Need(t)
	face := testFace(t)
	const hint = "alice@example.com"
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

	rp := newTestRP(t, hint)
	e := newEnv(t, func(c *Config) {
		c.Clients = append(c.Clients, rp.client())
		c.AllowedEmailDomains = []string{"example.com"}
		c.Faces = testFaces(t)
		// WebAuthn needs a domain (not an IP address) as relying party.
		c.Issuer = strings.Replace(c.Issuer, "127.0.0.1", "localhost", 1)
	})
	rp.discover(t, e.v.Issuer())
	c := startChrome(t, videoPath, 120*time.Second)
	if authenticator {
		c.AddPlatformAuthenticator()
	}
	c.toSelfie(e, rp, hint, passportPath, mrzLines, func(string) {})

	type live struct {
		Shown   bool     `json:"shown"`
		Playing bool     `json:"playing"`
		Prompt  string   `json:"prompt"`
		Reasons []string `json:"reasons"`
	}
	const read = `(() => {
		const root = document.getElementById("liveness");
		const v = root && root.querySelector("video");
		return {shown: !!root && !root.hidden, playing: !!v && !v.paused && v.readyState >= 2,
			prompt: root ? root.querySelector(".prompt").textContent : "",
			reasons: root ? Array.from(root.querySelectorAll(".reasons li")).map(li => li.dataset.reason || "") : []};
	})()`
	poll := func(what string, timeout time.Duration, ok func(live) bool) live {
		end := time.Now().Add(timeout)
		var last live
		for time.Now().Before(end) {
			st, err := chromedp.Run(c.Context(), chromedp.Evaluate[live](read))
			if err == nil && ok(st) {
				return st
			}
			last = st
			time.Sleep(100 * time.Millisecond)
		}
		c.Fail(what, context.DeadlineExceeded)
		t.Logf("last state %+v", last)
		return last
	}
	poll("the liveness camera", 15*time.Second, func(s live) bool { return s.Shown && s.Playing })
	c.Screenshot("liveness-ready")
	c.Do("start the liveness capture", chromedp.Click(chromedp.CSS(`#liveness button`)))
	seen := map[string]bool{}
	st := poll("the liveness result", 60*time.Second, func(s live) bool {
		seen[s.Prompt] = true
		return len(s.Reasons) > 0
	})
	c.Screenshot("liveness-refused")
	var prompts int
	for p := range seen {
		if strings.HasPrefix(p, "Turn") || strings.HasPrefix(p, "Look up") || strings.HasPrefix(p, "Move") {
			prompts++
		}
	}
	if prompts == 0 {
		t.Errorf("no prompt was shown (saw %v)", seen)
	}
	if !strings.Contains(strings.Join(st.Reasons, ","), "liveness-prompt:") {
		t.Fatalf("reasons on the page %v, want a prompt not followed", st.Reasons)
	}
	rec, err := e.db.GetVerificationByAuthRequest(context.Background(), authRequestOf(t, c))
	if err != nil {
		t.Fatal(err)
	}
	s, err := decodeSteps(rec.Steps)
	if err != nil || s.Liveness == nil || s.Liveness.Result == nil {
		t.Fatalf("steps %v %+v", err, s.Liveness)
	}
	r := s.Liveness.Result
	t.Logf("burst: %d frames, reasons %v, prompts %+v", r.Frames, r.Reasons, r.Prompts)
	if r.Frames < 6 || r.Passed || s.Selfie != nil {
		t.Fatalf("burst result %+v, selfie %+v", r, s.Selfie)
	}
	// Without an authenticator nothing is bound; with one, the email page
	// bound it and the burst the server judged was signed by it.
	if !authenticator {
		if s.Capture.bound() {
			t.Fatalf("bound without an authenticator: %+v", s.Capture)
		}
		return
	}
	if !s.Capture.bound() || !s.Capture.signed() || s.Capture.Binding.SignCount == 0 {
		t.Fatalf("capture %+v", s.Capture)
	}
	t.Logf("bound: attestation %s, AAGUID %x, sign count %d", s.Capture.Binding.AttestationFormat,
		s.Capture.Binding.AAGUID, s.Capture.Binding.SignCount)
}

// authRequestOf reads the auth request id from the tab's URL.
func authRequestOf(t *testing.T, c *chrome) string {
	t.Helper()
	loc, err := chromedp.Run(c.Context(), chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	_, id, ok := strings.Cut(loc, "id=")
	if !ok {
		t.Fatalf("no id in %s", loc)
	}
	id, _, _ = strings.Cut(id, "&")
	return id
}
