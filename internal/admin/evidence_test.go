package admin_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/admin/admintest"
)

// get fetches path with the admin token (unless tok is empty) and returns
// the response with its body read.
func get(t *testing.T, base, path, tok string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+admin.BasePath+path, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("X-Vigil-Admin", "jane")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestReviewEvidenceEndpoint(t *testing.T) {
	s := admintest.New(t)
	base := "/reviews/" + admintest.ReviewID + "/evidence/"

	// The show lists every record with its ID.
	_, body := call(t, s.URL, "GET", "/reviews/"+admintest.ReviewID, "")
	for _, id := range []string{admintest.EvidenceDoc, admintest.EvidenceSelfie, admintest.EvidenceChipData} {
		if !strings.Contains(body, `"id": "`+id+`"`) {
			t.Errorf("review lacks evidence %s: %s", id, body)
		}
	}

	for _, tc := range []struct{ id, ct string }{{admintest.EvidenceDoc, "image/jpeg"}, {admintest.EvidenceSelfie, "image/png"}} {
		resp, b := get(t, s.URL, base+tc.id, admintest.Token)
		if resp.StatusCode != 200 || !bytes.Equal(b, s.Evidence[tc.id]) {
			t.Fatalf("%s: HTTP %d, %d bytes, want the stored %d", tc.id, resp.StatusCode, len(b), len(s.Evidence[tc.id]))
		}
		for k, want := range map[string]string{"Content-Type": tc.ct, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
			"Content-Security-Policy": "default-src 'none'; sandbox", "Content-Disposition": "attachment"} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s: %s %q, want %q", tc.id, k, got, want)
			}
		}
	}

	for _, tc := range []struct {
		name, path, tok string
		status          int
		code            string
	}{
		{"no token", base + admintest.EvidenceDoc, "", 401, "unauthorized"},
		{"another verification's evidence", base + admintest.EvidenceDone, admintest.Token, 404, "not-found"},
		{"evidence under the wrong verification", "/reviews/" + admintest.DoneID + "/evidence/" + admintest.EvidenceDoc, admintest.Token, 404, "not-found"},
		{"unknown evidence", base + "ev-nope", admintest.Token, 404, "not-found"},
		{"invalid evidence id", base + "a%20b", admintest.Token, 404, "not-found"},
		{"unknown verification", "/reviews/vr-nope/evidence/" + admintest.EvidenceDoc, admintest.Token, 404, "not-found"},
		{"not an image", base + admintest.EvidenceChipData, admintest.Token, 415, "not-an-image"},
	} {
		resp, b := get(t, s.URL, tc.path, tc.tok)
		var e struct {
			Error string `json:"error"`
		}
		if resp.StatusCode != tc.status || json.Unmarshal(b, &e) != nil || e.Error != tc.code {
			t.Errorf("%s: HTTP %d %s, want %d %s", tc.name, resp.StatusCode, b, tc.status, tc.code)
		}
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "image/") || bytes.Contains(b, s.Evidence[admintest.EvidenceChipData]) {
			t.Errorf("%s: a refusal carries evidence: %s %s", tc.name, resp.Header.Get("Content-Type"), b)
		}
	}

	none := admintest.NewWith(t, admintest.Options{NoVerifier: true})
	runSteps(t, none.URL, []step{{"no verifier", "GET", base + admintest.EvidenceDoc, "", 404, []string{"no built-in verifier"}, nil}})
}

// TestReviewAudit: each image viewed and each decision is an audit
// record naming the reviewer and the verification, never the person.
func TestReviewAudit(t *testing.T) {
	s := admintest.New(t)
	get(t, s.URL, "/reviews/"+admintest.ReviewID+"/evidence/"+admintest.EvidenceSelfie, admintest.Token)
	get(t, s.URL, "/reviews/"+admintest.ReviewID+"/evidence/"+admintest.EvidenceDone, admintest.Token) // refused: not audited as viewed
	call(t, s.URL, "POST", "/reviews/"+admintest.ReviewID+"/reject", `{"reason":"photo of a screen"}`)
	_, body := call(t, s.URL, "GET", "/audit", "")
	var out struct {
		Records []map[string]any `json:"records"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	var viewed, rejected []map[string]any
	for _, r := range out.Records {
		if r["kind"] != "review" {
			continue
		}
		if r["actor"] != "admin:jane" || r["verification"] != admintest.ReviewID {
			t.Errorf("record %v: want actor admin:jane, verification %s", r, admintest.ReviewID)
		}
		switch r["decision"] {
		case "evidence-viewed":
			viewed = append(viewed, r)
		case "rejected":
			rejected = append(rejected, r)
		}
	}
	if len(viewed) != 1 || !strings.Contains(body, "evidence:"+admintest.EvidenceSelfie) || !strings.Contains(body, "kind:selfie") {
		t.Errorf("want one evidence-viewed record naming %s: %s", admintest.EvidenceSelfie, body)
	}
	if len(rejected) != 1 || !strings.Contains(body, "photo of a screen") {
		t.Errorf("want one rejected record with the reason: %s", body)
	}
	for _, personal := range []string{"Anna", "ERIKSSON", "L898902C3", "1974-08-12", "bob@example.com", "iVBOR", "/9j/"} {
		if strings.Contains(body, personal) {
			t.Errorf("the audit log has %q: %s", personal, body)
		}
	}
}
