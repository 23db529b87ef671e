package verifier

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/chip/chiptest"
	"github.com/vigil-gw/vigil/internal/evidence/mrz"
	"github.com/vigil-gw/vigil/internal/evidence/pki"
	"github.com/vigil-gw/vigil/internal/evidence/trust"
	"github.com/vigil-gw/vigil/internal/store"
)

// chipEnv is a verifier trusting one test issuing state's CSCA.
func chipEnv(t *testing.T, tweaks ...func(*Config)) (*env, *chiptest.State) {
	t.Helper()
	st, err := chiptest.NewState(chiptest.StateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	csca, err := pki.ParseCertificate(st.CSCA.Raw)
	if err != nil {
		t.Fatal(err)
	}
	ts := trust.NewStore()
	if _, err := ts.AddCSCA(csca); err != nil {
		t.Fatal(err)
	}
	return newEnv(t, func(c *Config) {
		c.Trust = ts
		for _, tw := range tweaks {
			tw(c)
		}
	}), st
}

// holderMRZ is the MRZ validPassport renders.
func holderMRZ() *mrz.Document {
	return &mrz.Document{Format: mrz.TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "ERIKSSON",
		GivenNames: []string{"ANNA", "MARIA"}, DocumentNumber: "L898902C3", Nationality: "UTO",
		BirthDate: mrz.Date{Year: 1974, Month: 8, Day: 12}, Sex: "F",
		ExpiryDate: mrz.Date{Year: time.Now().Year() + 5, Month: 4, Day: 15}, OptionalData1: "ZE184226B"}
}

func portraitJPEG(t testing.TB) []byte {
	b, err := os.ReadFile("../../../shared/testdata/emrtd/dg2/ISO19794_5_Test1_Face.jpg")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func issue(t *testing.T, st *chiptest.State, d *mrz.Document, aa chiptest.AA) *chiptest.Chip {
	t.Helper()
	c, err := st.Issue(chiptest.DocumentOptions{MRZ: d, Portrait: portraitJPEG(t), AA: aa})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	chipTokenRE = regexp.MustCompile(`<code id="chip-token">([^<]+)</code>`)
	chipAPIRE   = regexp.MustCompile(`<code id="chip-api">([^<]+)</code>`)
)

// reader is the reader app: it knows the API address and the pairing
// token the person typed in, nothing else.
type reader struct {
	t          *testing.T
	api, token string
}

// chipStepPage runs email and document steps and returns the reader
// paired from the chip page.
func chipStepPage(t *testing.T, e *env, addr string) (*browser, *reader) {
	t.Helper()
	return chipStepPageHint(t, e, addr, addr)
}

// chipStepPageHint is chipStepPage with a login_hint (an address, or the
// gateway's signed assertion naming the account holder).
func chipStepPageHint(t *testing.T, e *env, hint, addr string) (*browser, *reader) {
	t.Helper()
	return chipStepPageDoc(t, e, hint, addr, holderMRZ())
}

// chipStepPageDoc is chipStepPageHint photographing the passport of doc.
func chipStepPageDoc(t *testing.T, e *env, hint, addr string, doc *mrz.Document) (*browser, *reader) {
	t.Helper()
	b := e.browser()
	if st, body := b.begin(RungChip, hint, vcRequest); st != http.StatusOK || !strings.Contains(body, "Step 1 of 4") {
		t.Fatalf("start: %d %s", st, body)
	}
	b.passEmail(addr)
	img, lines := passportOf(t, doc)
	st, body := b.upload("/document", img)
	if st == http.StatusOK && strings.Contains(body, "Fix the scanned text") {
		st, body = b.postForm("/document/correct", url.Values{"mrz": {strings.Join(lines, "\n")}})
	}
	if st != http.StatusOK || !strings.Contains(body, "/chip?id=") {
		t.Fatalf("document: %d %s", st, body)
	}
	resp, body := b.do(http.MethodGet, b.path("/chip"), "", nil)
	tok, api := chipTokenRE.FindStringSubmatch(body), chipAPIRE.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || tok == nil || api == nil || !strings.Contains(body, "Step 3 of 4") {
		t.Fatalf("chip page: %d %s", resp.StatusCode, body)
	}
	return b, &reader{t: t, api: api[1], token: tok[1]}
}

func (r *reader) post(path string, body any) (int, map[string]any) {
	r.t.Helper()
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			r.t.Fatal(err)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, r.api+path, &buf)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		r.t.Fatalf("%s: %d, body not JSON: %v", path, resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

func (r *reader) challenge() []byte {
	r.t.Helper()
	st, out := r.post("/challenge", nil)
	ch, err := base64.StdEncoding.DecodeString(str(out["challenge"]))
	if st != http.StatusOK || err != nil || len(ch) != 8 {
		r.t.Fatalf("challenge: %d %v", st, out)
	}
	return ch
}

// upload sends the chip's files; aaFor, when set, answers that challenge.
func (r *reader) upload(c *chiptest.Chip, challenge, signFor []byte) (int, map[string]any) {
	r.t.Helper()
	dgs := map[string]string{}
	for n, b := range c.DataGroups {
		dgs[strconv.Itoa(n)] = base64.StdEncoding.EncodeToString(b)
	}
	body := map[string]any{
		"ef_com": base64.StdEncoding.EncodeToString(c.COM), "ef_sod": base64.StdEncoding.EncodeToString(c.SOD),
		"data_groups": dgs,
	}
	if challenge != nil {
		sig, err := c.SignAA(signFor)
		if err != nil {
			r.t.Fatal(err)
		}
		body["active_authentication"] = map[string]string{
			"challenge": base64.StdEncoding.EncodeToString(challenge), "signature": base64.StdEncoding.EncodeToString(sig)}
	}
	return r.post("/upload", body)
}

func str(v any) string { s, _ := v.(string); return s }

func reasonsOf(out map[string]any) string {
	var rs []string
	for _, r := range out["reasons"].([]any) {
		rs = append(rs, r.(string))
	}
	return strings.Join(rs, ",")
}

func TestChipRung(t *testing.T) {
	e, st := chipEnv(t)
	b, rd := chipStepPage(t, e, "anna@corp.example")
	good := issue(t, st, holderMRZ(), chiptest.AARSA)

	// Refusals first: each counts an attempt and stores nothing.
	other, err := chiptest.NewState(chiptest.StateOptions{Country: "XX"})
	if err != nil {
		t.Fatal(err)
	}
	otherDoc := holderMRZ()
	otherDoc.DocumentNumber = "X12345678"
	for _, tc := range []struct {
		name string
		run  func() (int, map[string]any)
		want string
	}{
		{"untrusted issuer", func() (int, map[string]any) {
			c := issue(t, other, holderMRZ(), chiptest.AANone)
			return rd.upload(c, nil, nil)
		}, "csca-unknown"},
		{"another document", func() (int, map[string]any) {
			ch := rd.challenge()
			return rd.upload(issue(t, st, otherDoc, chiptest.AARSA), ch, ch)
		}, "mrz-mismatch"},
		{"answer to another challenge", func() (int, map[string]any) {
			ch := rd.challenge()
			return rd.upload(good, ch, []byte("12345678"))
		}, "aa-signature-invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := tc.run()
			if code != http.StatusUnprocessableEntity || out["error"] != "chip_refused" || !strings.Contains(reasonsOf(out), tc.want) {
				t.Fatalf("got %d %v, want 422 with %s", code, out, tc.want)
			}
		})
	}
	if ev, _ := e.db.ListEvidence(context.Background(), verificationOf(t, e, b).ID); len(ev) != 1 {
		t.Fatalf("refused readings stored evidence: %d items", len(ev))
	}
	// The page shows the last refusal's reason in words.
	if _, body := b.do(http.MethodGet, b.path("/chip"), "", nil); !strings.Contains(body, `data-reason="aa-signature-invalid"`) {
		t.Fatalf("chip page after refusal: %s", body)
	}
	// A challenge the verifier did not issue is refused before any check.
	rd.challenge()
	if code, out := rd.upload(good, []byte("87654321"), []byte("87654321")); code != http.StatusUnprocessableEntity || reasonsOf(out) != "aa-challenge-unknown" {
		t.Fatalf("unknown challenge: %d %v", code, out)
	}

	// The genuine chip with a fresh challenge passes.
	ch := rd.challenge()
	code, out := rd.upload(good, ch, ch)
	if code != http.StatusOK || out["result"] != "accepted" || out["active_authentication"] != "passed" {
		t.Fatalf("genuine chip: %d %v", code, out)
	}
	// The token is spent: another upload is refused.
	if code, out := rd.upload(good, nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("second upload: %d %v", code, out)
	}
	// The document is now fixed, and the flow moves on to the selfie.
	if st, _ := b.upload("/document", []byte("x")); st != http.StatusConflict {
		t.Fatalf("document after chip: %d", st)
	}
	if resp, body := b.do(http.MethodGet, b.path("/chip"), "", nil); !strings.Contains(resp.Request.URL.Path, "/selfie") || !strings.Contains(body, "Step 4 of 4") {
		t.Fatalf("chip page after acceptance: %s %s", resp.Request.URL, body)
	}
	if st, body := b.upload("/selfie", selfieJPEG(t)); st != http.StatusOK || !strings.Contains(body, "Waiting for review") {
		t.Fatalf("selfie: %d %s", st, body)
	}

	rec := verificationOf(t, e, b)
	ev, err := e.db.ListEvidence(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, x := range ev {
		kinds[x.Kind] = x.ContentType
	}
	if len(ev) != 4 || kinds[KindChipPortrait] != "image/jpeg" || kinds[KindChipData] != "application/json" {
		t.Fatalf("evidence %v", kinds)
	}
	if err := e.v.Approve(context.Background(), rec.ID, "reviewer@corp.example", "selfie matches the chip portrait"); err != nil {
		t.Fatal(err)
	}
	b.do(http.MethodGet, b.path("/status"), "", nil)
	idt, claims := b.token()
	if claims["acr"] != RungChip {
		t.Fatalf("acr %v", claims["acr"])
	}
	vc, _ := claims["verified_claims"].(map[string]any)
	if vc == nil {
		t.Fatalf("no verified_claims: %v", claims)
	}
	validateIDA(t, map[string]any{"sub": idt.Subject, "verified_claims": vc})
	ev0 := vc["verification"].(map[string]any)["evidence"].([]any)[0].(map[string]any)
	var methods []string
	for _, c := range ev0["check_details"].([]any) {
		methods = append(methods, c.(map[string]any)["check_method"].(string))
	}
	if strings.Join(methods, ",") != "vcrypt,vri,pvr" {
		t.Fatalf("check methods %v", methods)
	}
}

// TestChipAttemptsLimited: after maxChipAttempts refused readings the
// reader API stops answering for the verification, even for a good one.
func TestChipAttemptsLimited(t *testing.T) {
	e, st := chipEnv(t)
	_, rd := chipStepPage(t, e, "anna@corp.example")
	good := issue(t, st, holderMRZ(), chiptest.AARSA)
	// A chip with an AA key read without active authentication: a cloned
	// chip could pass everything else.
	for range maxChipAttempts {
		if code, out := rd.upload(good, nil, nil); code != http.StatusUnprocessableEntity || reasonsOf(out) != "aa-required" {
			t.Fatalf("refusal: %d %v", code, out)
		}
	}
	ch := []byte("whatever")
	if code, out := rd.upload(good, ch, ch); code != http.StatusTooManyRequests || out["error"] != "too_many_attempts" {
		t.Fatalf("after %d refusals: %d %v", maxChipAttempts, code, out)
	}
}

// TestChipAPIRefusesBadRequests: tokens and bodies a reader must get right.
func TestChipAPIRefusesBadRequests(t *testing.T) {
	e, _ := chipEnv(t)
	_, rd := chipStepPage(t, e, "anna@corp.example")
	raw := func(token, ctype, body string) int {
		req, _ := http.NewRequest(http.MethodPost, rd.api+"/upload", strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	id, _, _ := strings.Cut(rd.token, ".")
	for _, tc := range []struct {
		name, token, ctype, body string
		want                     int
	}{
		{"no token", "", "application/json", `{}`, 401},
		{"forged mac", id + ".AAAA", "application/json", `{}`, 401},
		{"unknown verification", "nope." + strings.SplitN(rd.token, ".", 2)[1], "application/json", `{}`, 401},
		{"form body", rd.token, "application/x-www-form-urlencoded", `a=b`, 415},
		{"not json", rd.token, "application/json", `{`, 400},
		{"unknown field", rd.token, "application/json", `{"ef_sod":"AA==","x":1}`, 400},
		{"no sod", rd.token, "application/json", `{"data_groups":{}}`, 400},
		{"bad base64", rd.token, "application/json", `{"ef_sod":"%%%"}`, 400},
		{"bad dg number", rd.token, "application/json", `{"ef_sod":"AA==","data_groups":{"17":"AA=="}}`, 400},
		{"dg number with zero", rd.token, "application/json", `{"ef_sod":"AA==","data_groups":{"01":"AA=="}}`, 400},
		{"too large", rd.token, "application/json", `{"ef_sod":"` + strings.Repeat("A", maxChipUpload) + `"}`, 413},
		{"garbage sod", rd.token, "application/json", `{"ef_sod":"AAAA"}`, 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := raw(tc.token, tc.ctype, tc.body); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}
}

func verificationOf(t *testing.T, e *env, b *browser) *store.Verification {
	t.Helper()
	rec, err := e.db.GetVerificationByAuthRequest(context.Background(), b.id)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// jp2Portrait converts the test portrait to JPEG 2000 with OpenJPEG's
// opj_compress, as chips of several states store it.
func jp2Portrait(t *testing.T) []byte {
	t.Helper()
	if _, err := exec.LookPath("opj_compress"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("opj_compress is required in CI (bash scripts/install-document-deps.sh)")
		}
		t.Skip("opj_compress not installed: bash scripts/install-document-deps.sh")
	}
	img, err := jpeg.Decode(bytes.NewReader(portraitJPEG(t)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	in, out := filepath.Join(dir, "face.png"), filepath.Join(dir, "face.jp2")
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("opj_compress", "-i", in, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("opj_compress: %v\n%s", err, b)
	}
	jp2, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return jp2
}

// TestChipJPEG2000Portrait: a JPEG 2000 face reaches the reviewer as a PNG
// the browser can show, with the same pixels size.
func TestChipJPEG2000Portrait(t *testing.T) {
	e, st := chipEnv(t)
	b, rd := chipStepPage(t, e, "anna@corp.example")
	c, err := st.Issue(chiptest.DocumentOptions{MRZ: holderMRZ(), Portrait: jp2Portrait(t), AA: chiptest.AAECDSA})
	if err != nil {
		t.Fatal(err)
	}
	ch := rd.challenge()
	if code, out := rd.upload(c, ch, ch); code != http.StatusOK || out["active_authentication"] != "passed" {
		t.Fatalf("upload: %d %v", code, out)
	}
	ev, err := e.db.ListEvidence(context.Background(), verificationOf(t, e, b).ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ev {
		if x.Kind != KindChipPortrait {
			continue
		}
		ct, data, err := e.v.Evidence(context.Background(), x.ID)
		if err != nil || ct != "image/png" {
			t.Fatalf("portrait: %s %v", ct, err)
		}
		got, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := jpeg.DecodeConfig(bytes.NewReader(portraitJPEG(t)))
		if got.Bounds().Dx() != want.Width || got.Bounds().Dy() != want.Height {
			t.Fatalf("portrait %v, want %dx%d", got.Bounds(), want.Width, want.Height)
		}
		return
	}
	t.Fatal("no chip-portrait evidence")
}
