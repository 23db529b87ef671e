package demoidp

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/testenv/codeflow"
)

type idClaims struct {
	Sub           string   `json:"sub"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Name          string   `json:"name"`
	GivenName     string   `json:"given_name"`
	FamilyName    string   `json:"family_name"`
	Groups        []string `json:"groups"`
	AMR           []string `json:"amr"`
	ACR           string   `json:"acr"`
	AuthTime      int64    `json:"auth_time"`
	Nonce         string   `json:"nonce"`
}

func TestCodeFlow(t *testing.T) {
	tests := []struct {
		name     string
		clientID string
		secret   string
		auth     string
		pkce     bool
	}{
		{"public client with PKCE", publicID, "", "none", true},
		{"confidential client_secret_basic", confID, confSecret, "basic", false},
		{"confidential client_secret_post", confID, confSecret, "post", false},
		{"confidential with PKCE", confID, confSecret, "basic", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			verifier, challenge := "", ""
			if tt.pkce {
				verifier, challenge = codeflow.PKCE()
			}
			code := e.login(codeflow.Browser(t), tt.clientID, challenge, "alice", alicePass)
			tok := e.exchange(tt.clientID, tt.secret, tt.auth, code, verifier)
			if tok.Status != http.StatusOK || tok.IDToken == "" {
				t.Fatalf("token endpoint: %d %q", tok.Status, tok.Error)
			}
			idt, err := e.verifier(tt.clientID).Verify(context.Background(), tok.IDToken)
			if err != nil {
				t.Fatalf("verify ID token: %v", err)
			}
			var c idClaims
			if err := idt.Claims(&c); err != nil {
				t.Fatal(err)
			}
			want := idClaims{
				Sub: "demo-alice", Email: "alice@example.com", EmailVerified: true, Name: "Alice Anders",
				GivenName: "Alice", FamilyName: "Anders", Groups: []string{"engineering", "admins"},
				AMR: []string{"pwd"}, ACR: ACR, AuthTime: e.clock.Now().Unix(), Nonce: "n-456",
			}
			if !equalClaims(c, want) {
				t.Errorf("claims = %+v\nwant     %+v", c, want)
			}
			if idt.Issuer != e.issuer() || !slices.Equal(idt.Audience, []string{tt.clientID}) {
				t.Errorf("iss/aud = %s %v", idt.Issuer, idt.Audience)
			}
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Errorf("at_hash: %v", err)
			}
			checkUserinfo(t, e, tok.AccessToken)
		})
	}
}

func equalClaims(a, b idClaims) bool {
	return a.Sub == b.Sub && a.Email == b.Email && a.EmailVerified == b.EmailVerified && a.Name == b.Name &&
		a.GivenName == b.GivenName && a.FamilyName == b.FamilyName && slices.Equal(a.Groups, b.Groups) &&
		slices.Equal(a.AMR, b.AMR) && a.ACR == b.ACR && a.AuthTime == b.AuthTime && a.Nonce == b.Nonce
}

func checkUserinfo(t *testing.T, e *env, accessToken string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.issuer()+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c idClaims
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("userinfo: %d %v", resp.StatusCode, err)
	}
	if c.Sub != "demo-alice" || c.Email != "alice@example.com" || !slices.Equal(c.Groups, []string{"engineering", "admins"}) {
		t.Errorf("userinfo = %+v", c)
	}
}

func TestTokenEndpointRejects(t *testing.T) {
	tests := []struct {
		name     string
		clientID string
		secret   string
		auth     string
		verifier func(good string) string
		advance  time.Duration
		want     int
		wantErr  string
	}{
		{"wrong PKCE verifier", publicID, "", "none", func(string) string { return "wrong-verifier-wrong-verifier-wrong-verifier-1" }, 0, http.StatusBadRequest, "invalid_grant"},
		{"missing PKCE verifier", publicID, "", "none", func(string) string { return "" }, 0, http.StatusBadRequest, "invalid_request"},
		{"wrong client secret", confID, "nope", "basic", func(g string) string { return g }, 0, http.StatusUnauthorized, "invalid_client"},
		{"wrong client secret (post)", confID, "nope", "post", func(g string) string { return g }, 0, http.StatusUnauthorized, "invalid_client"},
		{"code expired", publicID, "", "none", func(g string) string { return g }, 2 * time.Minute, http.StatusBadRequest, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			good, challenge := codeflow.PKCE()
			code := e.login(codeflow.Browser(t), tt.clientID, challenge, "alice", alicePass)
			e.clock.Advance(tt.advance)
			tok := e.exchange(tt.clientID, tt.secret, tt.auth, code, tt.verifier(good))
			if tok.Status != tt.want || tok.Error != tt.wantErr || tok.IDToken != "" {
				t.Fatalf("got %d %q, want %d %q", tok.Status, tok.Error, tt.want, tt.wantErr)
			}
			// Codes are single use: a failed exchange burns the code.
			if tok := e.exchange(publicID, "", "none", code, good); tok.Status == http.StatusOK {
				t.Fatal("code accepted after a failed exchange")
			}
		})
	}
}

func TestCodeIsSingleUse(t *testing.T) {
	e := newEnv(t)
	v, ch := codeflow.PKCE()
	code := e.login(codeflow.Browser(t), publicID, ch, "bob", "bob-demo-password")
	if tok := e.exchange(publicID, "", "none", code, v); tok.Status != http.StatusOK {
		t.Fatalf("first exchange: %d %s", tok.Status, tok.Error)
	}
	if tok := e.exchange(publicID, "", "none", code, v); tok.Error != "invalid_grant" {
		t.Fatalf("second exchange: %d %q, want invalid_grant", tok.Status, tok.Error)
	}
}
