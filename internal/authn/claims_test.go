package authn

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/config"
)

func TestMapIdentity(t *testing.T) {
	p := &Provider{name: "corp", claims: withClaimDefaults(config.ClaimMapping{Groups: "roles", Email: "upn"})}
	cases := []struct {
		name     string
		claims   string
		email    string
		verified bool
		groups   []string
		amr      []string
		authTime time.Time
	}{
		{name: "arrays", claims: `{"sub":"s","upn":" Bob@Corp.EXAMPLE ","email_verified":true,"roles":["a","b"],"amr":["pwd"],"auth_time":1700000000}`,
			email: "bob@corp.example", verified: true, groups: []string{"a", "b"}, amr: []string{"pwd"}, authTime: time.Unix(1700000000, 0).UTC()},
		{name: "single strings", claims: `{"sub":"s","roles":"solo","amr":"mfa","email_verified":"true"}`,
			verified: true, groups: []string{"solo"}, amr: []string{"mfa"}},
		{name: "odd types ignored", claims: `{"sub":"s","upn":42,"roles":[1,"x",null,""],"email_verified":"yes","auth_time":"soon","amr":{"a":1}}`,
			groups: []string{"x"}},
		{name: "email claim is not the default", claims: `{"sub":"s","email":"ignored@example.com"}`},
	}
	for _, tc := range cases {
		var m map[string]any
		if err := json.Unmarshal([]byte(tc.claims), &m); err != nil {
			t.Fatal(err)
		}
		id := p.mapIdentity(m)
		if id.Provider != "corp" || id.Subject != "s" || id.Email != tc.email || id.EmailVerified != tc.verified ||
			!slices.Equal(id.Groups, tc.groups) || !slices.Equal(id.AMR, tc.amr) || !id.AuthTime.Equal(tc.authTime) {
			t.Errorf("%s: %+v", tc.name, id)
		}
	}
}

// BenchmarkVerifyIDToken measures the callback's token checks with the
// JWKS cached (the common case).
func BenchmarkVerifyIDToken(b *testing.B) {
	for _, alg := range []jose.SignatureAlgorithm{jose.ES256, jose.RS256} {
		b.Run(string(alg), func(b *testing.B) {
			now := time.Now()
			op := newTestOP(b, func() time.Time { return now }, alg)
			p, err := NewProvider(context.Background(), config.Provider{Name: "op", Issuer: op.issuer(), ClientID: op.clientID},
				ProviderOptions{HTTPClient: op.srv.Client(), Now: func() time.Time { return now }})
			if err != nil {
				b.Fatal(err)
			}
			d, err := p.discover(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			raw := signToken(b, &tokenSpec{Key: op.signer, Kid: op.signer.kid, Claims: map[string]any{
				"iss": op.issuer(), "aud": op.clientID, "sub": "u", "nonce": "n", "exp": now.Add(time.Minute).Unix(), "iat": now.Unix(),
			}})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.verifyIDToken(context.Background(), d, raw, "n", ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
