package authn

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/identity"
)

// maxGroups bounds the groups kept from a token; a provider sending more is
// misconfigured and the session cookie must not balloon.
const maxGroups = 1000

func withClaimDefaults(m config.ClaimMapping) config.ClaimMapping {
	if m.Email == "" {
		m.Email = "email"
	}
	if m.Groups == "" {
		m.Groups = "groups"
	}
	if m.Name == "" {
		m.Name = "name"
	}
	return m
}

// mergeUserinfo adds userinfo claims the ID token lacks. The ID token's
// own claims win: they are what the provider signed.
func mergeUserinfo(claims map[string]any, userinfo []byte) (string, error) {
	var ui map[string]any
	if err := json.Unmarshal(userinfo, &ui); err != nil {
		return "", fmt.Errorf("decoding userinfo: %w", err)
	}
	sub, _ := ui["sub"].(string)
	for k, v := range ui {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return sub, nil
}

// mapIdentity turns verified claims into the session's identity using the
// provider's claim mapping. Claims of an unexpected type are ignored rather
// than guessed at.
func (p *Provider) mapIdentity(claims map[string]any) identity.Identity {
	id := identity.Identity{Provider: p.name, Claims: claims}
	id.Subject, _ = claims["sub"].(string)
	id.Issuer, _ = claims["iss"].(string)
	if email, ok := claims[p.claims.Email].(string); ok {
		id.Email = strings.ToLower(strings.TrimSpace(email))
	}
	if v, ok := claims["email_verified"]; ok {
		id.EmailVerified = boolClaim(v)
	} else {
		id.EmailVerified = p.assumeEmailVerified
	}
	id.Name, _ = claims[p.claims.Name].(string)
	id.Groups = stringsClaim(claims[p.claims.Groups], maxGroups)
	id.AMR = stringsClaim(claims["amr"], 32)
	id.ACR, _ = claims["acr"].(string)
	if f, ok := claims["auth_time"].(float64); ok && f > 0 && f < 1e11 && !math.IsNaN(f) {
		id.AuthTime = time.Unix(int64(f), 0).UTC()
	}
	return id
}

// boolClaim reads a boolean, also accepting the "true" string some
// providers (AWS Cognito) send.
func boolClaim(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return b == "true"
	}
	return false
}

// stringsClaim reads a string or an array of strings, skipping non-strings
// and empty values, keeping at most limit.
func stringsClaim(v any, limit int) []string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok && s != "" && len(out) < limit {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
