package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/config"
)

// TestRequireNameMatch: the verifier is used as an external one would be
// (the account's email as login_hint, so it does not compare names itself)
// with require_name_match on. Bob verifies with his own passport and gets
// in. Dave has a passport in another person's name verified (a proxy, as a
// fraudulent hire would): the verifier's reviewer approves the document, but
// the gateway refuses to record the verification on dave's account and
// tells him why.
func TestRequireNameMatch(t *testing.T) {
	needReviewFixtures(t)
	e, mailbox := startReviewGateway(t, func(c *config.Config) {
		c.Verifiers[0].LoginHint = config.LoginHintEmail
		c.Verifiers[0].RequireNameMatch = true
	})

	bob := browser()
	passport, lines := passportOf(t, "BROWN", "BOB", "L898902C3")
	waiting := verifyToReview(t, e, mailbox, bob, "bob", "bob@example.com", passport, lines, faceCrop(t))
	id, _ := pendingReview(t, e, "bob@example.com")
	approveReview(t, e, id)
	if done := reviewPage(t, get(t, bob, waiting, "text/html", nil)); done.status != http.StatusOK || done.url.String() != e.public+"/reports" {
		t.Fatalf("bob after approval: HTTP %d at %s, want the app:\n%s", done.status, done.url, done.body)
	}
	if code, echoed := getEcho(t, bob, e.public+"/reports", nil); code != http.StatusOK || !echoed.Verified {
		t.Fatalf("bob in the app: HTTP %d, %+v", code, echoed)
	}

	dave := browser()
	passport, lines = passportOf(t, "SMITH", "JOHN", "S34567890")
	waiting = verifyToReview(t, e, mailbox, dave, "dave", "dave@example.com", passport, lines, faceOf(t, "amy", "amy1.png"))
	id, _ = pendingReview(t, e, "dave@example.com")
	approveReview(t, e, id)
	done := reviewPage(t, get(t, dave, waiting, "text/html", nil))
	if done.status != http.StatusBadRequest || !strings.Contains(done.body, "verification-name-mismatch") ||
		!strings.Contains(done.body, "The verified name is not your account") {
		t.Fatalf("dave after approval: HTTP %d at %s, want the name-mismatch refusal:\n%s", done.status, done.url, done.body)
	}
	if strings.Contains(done.body, "SMITH") || strings.Contains(done.body, "JOHN") {
		t.Errorf("the refusal page shows the verified name:\n%s", done.body)
	}
	// Nothing was recorded: the app still wants a verification.
	if code, echoed := getEcho(t, dave, e.public+"/reports", nil); code != http.StatusUnauthorized || echoed.Verified {
		t.Fatalf("dave's API call after the refusal: HTTP %d, %+v; want 401 still unverified", code, echoed)
	}
}
