package set

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func TestParse(t *testing.T) {
	ec, other := newECKey(t), newECKey(t)
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys := StaticKeys(jwks(map[string]crypto.Signer{"ec": ec, "rsa": rk, "ed": ed}))
	ecS := newSigner(t, ec, "ec", jose.ES256)
	sign := func(mod func(*SET)) string {
		s := validSET()
		if mod != nil {
			mod(s)
		}
		raw, err := ecS.Sign(s)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	claims := func(mod func(map[string]any)) []byte {
		c := map[string]any{
			"iss": testIssuer, "jti": "j", "iat": testNow.Unix(), "aud": testAudience,
			"sub_id": map[string]any{"format": "email", "email": "a@example.com"},
			"events": map[string]any{CAEPSessionRevoked: map[string]any{}},
		}
		mod(c)
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	pubDER, err := x509.MarshalPKIXPublicKey(ec.Public())
	if err != nil {
		t.Fatal(err)
	}
	hsConfused := rawJWT(t, map[string]any{"alg": "HS256", "typ": TokenType, "kid": "ec"}, claims(func(map[string]any) {}),
		func(in []byte) []byte { m := hmac.New(sha256.New, pubDER); m.Write(in); return m.Sum(nil) })

	tests := []struct {
		name string
		raw  string
		v    func(*Validation)
		code string // "" = valid
	}{
		{name: "valid ES256", raw: sign(nil)},
		{name: "valid RS256", raw: mustSign(t, newSigner(t, rk, "rsa", jose.RS256), validSET())},
		{name: "valid PS256", raw: mustSign(t, newSigner(t, rk, "rsa", jose.PS256), validSET())},
		{name: "valid EdDSA", raw: mustSign(t, newSigner(t, ed, "ed", jose.EdDSA), validSET())},
		{name: "aud as a string", raw: signClaims(t, ec, "ec", claims(func(map[string]any) {}))},
		{name: "fractional iat", raw: signClaims(t, ec, "ec", claims(func(c map[string]any) { c["iat"] = float64(testNow.Unix()) + 0.5 }))},
		{name: "no kid tries every key", raw: signClaims(t, ec, "", claims(func(map[string]any) {}))},
		{name: "unsigned alg none", raw: rawJWT(t, map[string]any{"alg": "none", "typ": TokenType}, claims(func(map[string]any) {}), nil), code: CodeInvalidRequest},
		{name: "HS256 with the public key as secret", raw: hsConfused, code: CodeInvalidKey},
		{name: "algorithm outside the allow-list", raw: mustSign(t, newSigner(t, rk, "rsa", jose.RS512), validSET()), code: CodeInvalidKey},
		{name: "wrong key same kid", raw: mustSign(t, newSigner(t, other, "ec", jose.ES256), validSET()), code: CodeInvalidKey},
		{name: "unknown kid", raw: mustSign(t, newSigner(t, other, "nope", jose.ES256), validSET()), code: CodeInvalidKey},
		{name: "wrong issuer", raw: sign(func(s *SET) { s.Issuer = "https://evil.example" }), code: CodeInvalidIssuer},
		{name: "wrong audience", raw: sign(func(s *SET) { s.Audience = []string{"https://other.example"} }), code: CodeInvalidAudience},
		{name: "audience among others", raw: sign(func(s *SET) { s.Audience = []string{"x", testAudience} })},
		{name: "bad typ", raw: rawJWT(t, map[string]any{"alg": "ES256", "typ": "JWT", "kid": "ec"}, claims(func(map[string]any) {}), nil), code: CodeInvalidRequest},
		{name: "no typ", raw: rawJWT(t, map[string]any{"alg": "ES256", "kid": "ec"}, claims(func(map[string]any) {}), nil), code: CodeInvalidRequest},
		{name: "sub present", raw: signClaims(t, ec, "ec", claims(func(c map[string]any) { c["sub"] = "x" })), code: CodeInvalidRequest},
		{name: "exp present", raw: signClaims(t, ec, "ec", claims(func(c map[string]any) { c["exp"] = testNow.Unix() + 60 })), code: CodeInvalidRequest},
		{name: "two events", raw: signClaims(t, ec, "ec", claims(func(c map[string]any) {
			c["events"] = map[string]any{CAEPSessionRevoked: map[string]any{}, RISCAccountPurged: map[string]any{}}
		})), code: CodeInvalidRequest},
		{name: "no events", raw: signClaims(t, ec, "ec", claims(func(c map[string]any) { delete(c, "events") })), code: CodeInvalidRequest},
		{name: "event not an object", raw: signClaims(t, ec, "ec", claims(func(c map[string]any) { c["events"] = map[string]any{CAEPSessionRevoked: "x"} })), code: CodeInvalidRequest},
		{name: "iat missing", raw: signClaims(t, ec, "ec", claims(func(c map[string]any) { delete(c, "iat") })), code: CodeInvalidRequest},
		{name: "iat in the future", raw: sign(func(s *SET) { s.IssuedAt = testNow.Add(time.Hour) }), code: CodeInvalidRequest},
		{name: "iat within leeway", raw: sign(func(s *SET) { s.IssuedAt = testNow.Add(time.Minute) })},
		{name: "too old", raw: sign(func(s *SET) { s.IssuedAt = testNow.Add(-2 * time.Hour) }), v: func(v *Validation) { v.MaxAge = time.Hour }, code: CodeInvalidRequest},
		{name: "jti missing", raw: signClaims(t, ec, "ec", claims(func(c map[string]any) { delete(c, "jti") })), code: CodeInvalidRequest},
		{name: "invalid sub_id", raw: signClaims(t, ec, "ec", claims(func(c map[string]any) { c["sub_id"] = map[string]any{"format": "email"} })), code: CodeInvalidRequest},
		{name: "duplicate member", raw: signClaims(t, ec, "ec", []byte(`{"iss":"https://evil.example","iss":"`+testIssuer+`","jti":"j","iat":1,"aud":"`+testAudience+`","events":{"x":{}}}`)), code: CodeInvalidRequest},
		{name: "claims not JSON", raw: signClaims(t, ec, "ec", []byte("not json")), code: CodeInvalidRequest},
		{name: "garbage", raw: "a.b", code: CodeInvalidRequest},
		{name: "bad base64 header", raw: "!!!.e30.e30", code: CodeInvalidRequest},
		{name: "too large", raw: strings.Repeat("a", MaxSize+1), code: CodeInvalidRequest},
		{name: "symmetric algorithm configured", raw: sign(nil), v: func(v *Validation) { v.Algorithms = []jose.SignatureAlgorithm{jose.HS256} }, code: CodeInvalidKey},
		{name: "no issuer configured", raw: sign(nil), v: func(v *Validation) { v.Issuer = "" }, code: CodeInvalidKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := validation(keys)
			v.Now = func() time.Time { return testNow }
			if tc.name == "duplicate member" {
				v.MaxAge = 0
			}
			if tc.v != nil {
				tc.v(&v)
			}
			got, err := Parse(context.Background(), tc.raw, v)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if got.Issuer != testIssuer || got.Event != CAEPSessionRevoked || got.Subject == nil {
					t.Fatalf("Parse = %+v", got)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse accepted, want %s", tc.code)
			}
			t.Logf("%s: %v", tc.name, err)
			if se := mustParseErr(t, err); se.Code != tc.code {
				t.Fatalf("code %s (%v), want %s", se.Code, err, tc.code)
			}
		})
	}
}

func mustSign(t *testing.T, s *Signer, st *SET) string {
	t.Helper()
	raw, err := s.Sign(st)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestParseRoundTrip(t *testing.T) {
	k := newECKey(t)
	s := newSigner(t, k, "k1", jose.ES256)
	in := validSET()
	in.Txn = "txn-7"
	in.Audience = []string{testAudience, "https://other"}
	raw, err := s.Sign(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Parse(context.Background(), raw, validation(StaticKeys(jwks(map[string]crypto.Signer{"k1": k}))))
	if err != nil {
		t.Fatal(err)
	}
	if out.ID != in.ID || out.Txn != in.Txn || !out.IssuedAt.Equal(in.IssuedAt) || len(out.Audience) != 2 ||
		out.Subject.Key() != in.Subject.Key() || string(out.Payload) != string(in.Payload) {
		t.Fatalf("round trip: got %+v want %+v", out, in)
	}
	if iss, err := Peek(raw); err != nil || iss != testIssuer {
		t.Fatalf("Peek = %q, %v", iss, err)
	}
}

func TestParseLegacySubject(t *testing.T) {
	k := newECKey(t)
	raw := signClaims(t, k, "k", []byte(`{"iss":"`+testIssuer+`","jti":"j","iat":`+jsonInt(testNow.Unix())+`,"aud":"`+testAudience+`",
		"events":{"`+CAEPSessionRevoked+`":{"subject":{"format":"iss_sub","iss":"https://idp","sub":"u1"},"initiating_entity":"admin"}}}`))
	got, err := Parse(context.Background(), raw, validation(StaticKeys(jwks(map[string]crypto.Signer{"k": k}))))
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject == nil || got.Subject.Key() != "iss_sub:https://idp u1" {
		t.Fatalf("subject = %+v", got.Subject)
	}
	if strings.Contains(string(got.Payload), "subject") || !strings.Contains(string(got.Payload), "initiating_entity") {
		t.Fatalf("payload = %s", got.Payload)
	}
}

func TestParseKeysUnavailable(t *testing.T) {
	k := newECKey(t)
	raw := mustSign(t, newSigner(t, k, "k", jose.ES256), validSET())
	_, err := Parse(context.Background(), raw, validation(StaticKeys(nil)))
	if se := mustParseErr(t, err); se.Code != CodeInvalidKey || !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("err = %v", err)
	}
}

func TestSignRefusesInvalid(t *testing.T) {
	s := newSigner(t, newECKey(t), "k", jose.ES256)
	for name, mod := range map[string]func(*SET){
		"no issuer":      func(s *SET) { s.Issuer = "" },
		"no jti":         func(s *SET) { s.ID = "" },
		"no iat":         func(s *SET) { s.IssuedAt = time.Time{} },
		"no audience":    func(s *SET) { s.Audience = nil },
		"empty audience": func(s *SET) { s.Audience = []string{""} },
		"no event":       func(s *SET) { s.Event = "" },
		"bad subject":    func(s *SET) { s.Subject = &Subject{Format: "email"} },
		"array payload":  func(s *SET) { s.Payload = json.RawMessage(`[]`) },
	} {
		st := validSET()
		mod(st)
		if _, err := s.Sign(st); err == nil {
			t.Errorf("%s: Sign accepted", name)
		}
	}
	if _, err := s.Sign(nil); err == nil {
		t.Error("Sign(nil) accepted")
	}
}

func TestNewSigner(t *testing.T) {
	ec := newECKey(t)
	for _, tc := range []struct {
		name string
		key  crypto.Signer
		kid  string
		alg  jose.SignatureAlgorithm
		ok   bool
	}{
		{"ES256", ec, "k", jose.ES256, true},
		{"no kid", ec, "", jose.ES256, false},
		{"no key", nil, "k", jose.ES256, false},
		{"HS256", ec, "k", jose.HS256, false},
		{"key cannot do RS256", ec, "k", jose.RS256, false},
		{"wrong curve", ec, "k", jose.ES384, false},
	} {
		_, err := NewSigner(tc.key, tc.kid, tc.alg)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
