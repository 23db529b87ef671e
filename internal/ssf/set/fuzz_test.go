package set

import (
	"context"
	"crypto"
	"encoding/json"
	"testing"
)

// FuzzParse signs fuzzed claims with a trusted key, so the checks behind
// the signature are reached, and also feeds the raw input as a token.
func FuzzParse(f *testing.F) {
	k := newECKey(f)
	s := newSigner(f, k, "k", "ES256")
	good, err := validSET().marshalClaims()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"iss":"` + testIssuer + `","jti":"j","iat":1772366400,"aud":"` + testAudience + `","sub":"x","events":{"a":{}}}`))
	f.Add([]byte(`{"iss":"` + testIssuer + `","jti":"j","iat":1772366400,"aud":["` + testAudience + `"],"events":{"a":{"subject":{"format":"opaque","id":"o"}}}}`))
	f.Add([]byte(`{"iss":1,"iss":2}`))
	raw, err := s.Sign(validSET())
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(raw))
	v := validation(StaticKeys(jwks(map[string]crypto.Signer{"k": k})))
	f.Fuzz(func(t *testing.T, claims []byte) {
		check := func(got *SET, err error) {
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("error %T is not *Error: %v", err, err)
				}
				return
			}
			if got.Issuer != testIssuer || got.ID == "" || got.Event == "" {
				t.Fatalf("accepted incomplete SET %+v", got)
			}
			var obj map[string]json.RawMessage
			if json.Unmarshal(got.Payload, &obj) != nil || obj == nil {
				t.Fatalf("accepted non-object payload %s", got.Payload)
			}
			if got.Subject != nil && got.Subject.Validate() != nil {
				t.Fatalf("accepted invalid subject %+v", got.Subject)
			}
		}
		check(Parse(context.Background(), signClaims(t, k, "k", claims), v))
		check(Parse(context.Background(), string(claims), v))
		_, _ = Peek(string(claims))
	})
}
