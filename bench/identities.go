package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/session"
)

// Realistic sign-ins for the session-memory measurement. Each one is made
// the way the relying party makes it (internal/authn): the ID token's
// claims are decoded from JSON into a map that the identity keeps whole
// (Identity.Claims), the named fields are read from that map, and the raw
// ID token and the provider's sid travel in session.Meta. Every string is
// therefore its own allocation, as it is for sessions made from real
// tokens; sharing literals between sessions would understate the cost.

// userAgent is a current desktop browser's; a copy is made per session
// because each comes from its own request.
const userAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

// signInParts is what the login handler passes to session.Manager.Create.
type signInParts struct {
	id   identity.Identity
	meta session.Meta
}

// shape says what a generated sign-in carries, so that a breakdown can
// tell what each part costs.
type shape struct {
	idToken bool // keep the raw ID token in Meta (the login handler does)
	claims  bool // keep the whole claim map in Identity.Claims (authn does)
}

var fullShape = shape{idToken: true, claims: true}

// newSignIn makes user i's sign-in at now. rnd supplies the token's nonce,
// sid, hash and signature bytes.
func newSignIn(i int, now time.Time, rnd io.Reader, sh shape) (signInParts, error) {
	random := func(n int) (string, error) {
		b := make([]byte, n)
		if _, err := io.ReadFull(rnd, b); err != nil {
			return "", fmt.Errorf("random: %w", err)
		}
		return base64.RawURLEncoding.EncodeToString(b), nil
	}
	nonce, err := random(32)
	if err != nil {
		return signInParts{}, err
	}
	sid, err := random(16)
	if err != nil {
		return signInParts{}, err
	}
	atHash, err := random(16)
	if err != nil {
		return signInParts{}, err
	}
	// A corporate IdP's ID token: the registered claims, profile and e-mail,
	// five groups, amr/acr and three organisation claims.
	payload := map[string]any{
		"iss": "https://login.example.com/oauth2/default", "sub": fmt.Sprintf("00u%017d", i),
		"aud": "0oa1b2c3d4e5f6g7h8i9", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
		"auth_time": now.Add(-time.Minute).Unix(), "nonce": nonce, "at_hash": atHash, "sid": sid,
		"jti": fmt.Sprintf("ID.%020d", i), "idp": "00o1a2b3c4d5e6f7g8h9",
		"email": fmt.Sprintf("user%06d@example.com", i), "email_verified": true,
		"name": fmt.Sprintf("User%06d Example", i), "given_name": fmt.Sprintf("User%06d", i),
		"family_name": "Example", "preferred_username": fmt.Sprintf("user%06d", i), "locale": "en-GB",
		"groups": []string{"engineering", "staff", "vpn-users", "github-org", fmt.Sprintf("team-%03d", i%500)},
		"amr":    []string{"pwd", "mfa"}, "acr": "urn:okta:loa:2fa:any",
		"department": "research", "employee_id": fmt.Sprintf("E%06d", i), "cost_center": fmt.Sprintf("CC-%04d", i%2000),
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return signInParts{}, err
	}
	var claims map[string]any
	if err := json.Unmarshal(body, &claims); err != nil {
		return signInParts{}, err
	}
	id := identity.Identity{Provider: "corp"}
	id.Subject, _ = claims["sub"].(string)
	id.Issuer, _ = claims["iss"].(string)
	id.Email, _ = claims["email"].(string)
	id.EmailVerified, _ = claims["email_verified"].(bool)
	id.Name, _ = claims["name"].(string)
	id.Groups = stringList(claims["groups"])
	id.AMR = stringList(claims["amr"])
	id.ACR, _ = claims["acr"].(string)
	if f, ok := claims["auth_time"].(float64); ok {
		id.AuthTime = time.Unix(int64(f), 0).UTC()
	}
	if sh.claims {
		id.Claims = claims
	}
	// A verification made earlier through the verifier, carried by the
	// session (its strings are decoded from that token, so fresh too).
	id.Verification = &identity.Verification{
		Provider: strings.Clone("verifier"), Subject: fmt.Sprintf("v-%08d", i),
		TrustFramework: strings.Clone("nist_800_63A"), Level: strings.Clone("ial2"), ACR: strings.Clone("urn:vigil:ial2"),
		AMR: []string{strings.Clone("face"), strings.Clone("pwd")}, VerifiedAt: now.Add(-24 * time.Hour).UTC(),
		AuthTime: now.Add(-24 * time.Hour).UTC(), Methods: []string{strings.Clone("vcrypt"), strings.Clone("bvr")},
		DocumentCountry: strings.Clone("GBR"),
	}
	meta := session.Meta{IP: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), UserAgent: strings.Clone(userAgent)}
	if s, ok := claims["sid"].(string); ok {
		meta.SID = s
	}
	if sh.idToken {
		sig, err := random(256) // an RS256 signature's length
		if err != nil {
			return signInParts{}, err
		}
		header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"k1","typ":"JWT"}`))
		meta.IDToken = header + "." + base64.RawURLEncoding.EncodeToString(body) + "." + sig
	}
	return signInParts{id: id, meta: meta}, nil
}

// stringList reads a JSON array of strings as authn does, into a new slice.
func stringList(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		if s, ok := e.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}
