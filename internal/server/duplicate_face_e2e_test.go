package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/risk"
)

// TestDuplicateFaceFlagsBothAccounts: one person verifies two employee
// identities at the built-in verifier, as a laptop farm's operator would.
// Bob is verified (a reviewer approves him); then dave's verification, with
// another passport and name but the same face, goes to review naming the
// duplicate, and both accounts get duplicate-face at the high level, whose
// default action signs bob out everywhere with the reason.
func TestDuplicateFaceFlagsBothAccounts(t *testing.T) {
	needReviewFixtures(t)
	selfie := faceCrop(t)
	e, mailbox := startReviewGateway(t, nil)
	api := &riskEnv{public: e.public}

	bob := browser()
	passport, lines := passportOf(t, "BROWN", "BOB", "L898902C3")
	waiting := verifyToReview(t, e, mailbox, bob, "bob", "bob@example.com", passport, lines, selfie)
	id, reasons := pendingReview(t, e, "bob@example.com")
	if slices.Contains(reasons, "duplicate-face") {
		t.Fatalf("bob's first verification names a duplicate face: %q", reasons)
	}
	approveReview(t, e, id)
	if done := reviewPage(t, get(t, bob, waiting, "text/html", nil)); done.status != http.StatusOK || done.url.String() != e.public+"/reports" {
		t.Fatalf("bob's waiting page after approval: HTTP %d at %s:\n%s", done.status, done.url, done.body)
	}
	if code, echoed := getEcho(t, bob, e.public+"/reports", nil); code != http.StatusOK || !echoed.Verified {
		t.Fatalf("bob in the app: HTTP %d, %+v", code, echoed)
	}
	if v := api.risk(t, "bob@example.com"); v.Level != "low" {
		t.Fatalf("bob's risk before dave verifies: %+v", v)
	}

	// Dave: another passport, another name, bob's face.
	dave := browser()
	passport, lines = passportOf(t, "DOE", "DAVE", "D23456789")
	verifyToReview(t, e, mailbox, dave, "dave", "dave@example.com", passport, lines, selfie)
	if _, reasons := pendingReview(t, e, "dave@example.com"); !slices.Contains(reasons, "duplicate-face") {
		t.Fatalf("dave's verification waits for review without naming the duplicate face: %q", reasons)
	}
	for _, who := range []string{"bob@example.com", "dave@example.com"} {
		v := api.risk(t, who)
		if v.Level != "high" || len(v.Factors) != 1 || v.Factors[0].Kind != risk.KindDuplicateFace || v.Factors[0].Source != "detector" {
			t.Fatalf("%s's risk after dave's selfie: %+v, want duplicate-face alone, high", who, v)
		}
	}
	// High risk revokes (the default action): bob is out, told why.
	code, _, body := status(t, bob, e.public+"/reports", "text/html")
	if code != http.StatusUnauthorized || !strings.Contains(body, "same face verified for another account") {
		t.Fatalf("bob after the finding: %s, want 401 naming the duplicate face", describe(code, "", body))
	}
}
