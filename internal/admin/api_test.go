package admin_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/admin/admintest"
)

const token = admintest.Token

func newAPI(t *testing.T) (*httptest.Server, string) {
	s := admintest.New(t)
	return s.Server, s.UserID
}

func TestNewRefusesWeakToken(t *testing.T) {
	if _, err := admin.New(admin.Options{Token: []byte("short"), Service: nil}); err == nil {
		t.Fatal("a 5-byte token was accepted")
	}
}

func TestAPI(t *testing.T) {
	srv, ada := newAPI(t)
	for _, tc := range []struct {
		name, method, path, body, auth string
		status                         int
		code                           string // error code, or a substring of a 200 body
	}{
		{"no token", "GET", "/sessions", "", "", 401, "unauthorized"},
		{"wrong token", "GET", "/sessions", "", "Bearer " + token + "x", 401, "unauthorized"},
		{"basic auth is not a token", "GET", "/sessions", "", "Basic " + token, 401, "unauthorized"},
		{"list", "GET", "/sessions", "", "", 200, `"email": "ada@example.com"`},
		{"list by email", "GET", "/sessions?user=ada@example.com", "", "", 200, ada},
		{"list unknown user", "GET", "/sessions?user=nobody@example.com", "", "", 404, "not-found"},
		{"bad scope", "POST", "/sessions/revoke", `{"scope":"planet","key":"x"}`, "", 400, "invalid-request"},
		{"unknown field", "POST", "/sessions/revoke", `{"scope":"user","key":"ada@example.com","why":"x"}`, "", 400, "invalid-request"},
		{"reason on two lines", "POST", "/sessions/revoke", `{"scope":"user","key":"ada@example.com","reason":"a\nb"}`, "", 400, "invalid-request"},
		{"not JSON", "POST", "/sessions/revoke", `scope=user`, "", 400, "invalid-request"},
		{"risk of unknown user", "GET", "/users/corp:nobody/risk", "", "", 404, "not-found"},
		{"raise without reason", "POST", "/users/ada@example.com/risk/raise", `{"severity":50}`, "", 400, "invalid-request"},
		{"raise too much", "POST", "/users/ada@example.com/risk/raise", `{"severity":500,"reason":"x"}`, "", 400, "invalid-request"},
		{"raise bad ttl", "POST", "/users/ada@example.com/risk/raise", `{"severity":50,"reason":"x","ttl":"forever"}`, "", 400, "invalid-request"},
		{"raise", "POST", "/users/ada@example.com/risk/raise", `{"severity":50,"reason":"insider case","ttl":"2h"}`, "", 200, `"level": "medium"`},
		{"risk", "GET", "/users/" + ada + "/risk", "", "", 200, `"reason": "insider case"`},
		{"reset without reason", "POST", "/users/ada@example.com/risk/reset", `{}`, "", 400, "invalid-request"},
		{"reset", "POST", "/users/ada@example.com/risk/reset", `{"reason":"case closed"}`, "", 200, `"score": 0`},
		{"revoke user", "POST", "/sessions/revoke", `{"scope":"user","key":"ada@example.com","reason":"left the company"}`, "", 200, `"revoked": 1`},
		{"wrong method", "DELETE", "/sessions", "", "", 405, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+admin.BasePath+tc.path, strings.NewReader(tc.body))
			auth := tc.auth
			if auth == "" && tc.status != 401 {
				auth = "Bearer " + token
			}
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			if tc.body != "" && tc.name != "not JSON" {
				req.Header.Set("Content-Type", "application/json")
			} else if tc.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var raw json.RawMessage
			json.NewDecoder(resp.Body).Decode(&raw)
			if resp.StatusCode != tc.status || !strings.Contains(string(raw), tc.code) {
				t.Fatalf("HTTP %d %s, want %d with %q", resp.StatusCode, raw, tc.status, tc.code)
			}
			if resp.StatusCode == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if resp.StatusCode == 200 && (resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Content-Type") != "application/json") {
				t.Errorf("headers %v", resp.Header)
			}
		})
	}
}
