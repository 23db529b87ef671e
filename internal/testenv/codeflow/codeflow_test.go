package codeflow

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"testing"
)

// TestHelpers checks what the provider tests take on trust: the challenge
// is S256 of the verifier, extra overrides and removes parameters, and the
// RP records the callback it was redirected to.
func TestHelpers(t *testing.T) {
	v, ch := PKCE()
	sum := sha256.Sum256([]byte(v))
	if len(v) != 43 || ch != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Fatalf("PKCE() = %q, %q", v, ch)
	}
	if v2, _ := PKCE(); v2 == v {
		t.Fatal("PKCE repeated a verifier")
	}

	got := AuthorizeURL("https://op.example/authorize", url.Values{"a": {"1"}, "b": {"2"}}, map[string]string{"a": "", "b": "3", "c": "4"})
	if got != "https://op.example/authorize?b=3&c=4" {
		t.Fatalf("AuthorizeURL = %s", got)
	}

	rp := NewRP(t)
	resp, err := Browser(t).Get(rp.RedirectURI() + "?code=c1&state=s1&error=e1&error_description=d1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !rp.Reached(resp) || rp.Last() != (Callback{Code: "c1", State: "s1", Error: "e1", Description: "d1"}) {
		t.Fatalf("reached %v, last %+v", rp.Reached(resp), rp.Last())
	}
}
