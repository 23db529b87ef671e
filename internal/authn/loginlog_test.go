package authn

import (
	"net/http"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/session"
)

// TestLoginLogHasNoPersonalData: the login line names the Vigil user id
// (a hash), never the provider's subject or the e-mail address.
func TestLoginLogHasNoPersonalData(t *testing.T) {
	const sub = "alice.private@example.org" // some providers use the e-mail as sub
	e := newEnv(t, jose.ES256, func(op *testOP) {
		op.tweak = func(_ *testOP, s *tokenSpec) { s.Claims["sub"] = sub }
	})
	if resp, _ := e.get(e.toCallback("/app/")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d (%s)", resp.StatusCode, e.lastFailure())
	}
	logs := e.logText()
	want := "msg=login provider=op user=" + session.UserID("op", sub)
	if !strings.Contains(logs, want) {
		t.Fatalf("log lacks %q:\n%s", want, logs)
	}
	for _, personal := range []string{sub, "alice.private", "Alice@Example.COM", "alice@example.com", "Alice Example"} {
		if strings.Contains(logs, personal) {
			t.Errorf("log contains %q:\n%s", personal, logs)
		}
	}
}
