// Package vigilauth verifies the signed identity assertion that the Vigil
// gateway adds to every request it forwards to an upstream application.
//
// An application behind Vigil should trust no identity header it did not
// verify: the assertion is a JWT signed with the gateway's rotating ES256
// keys, published at https://<gateway>/.well-known/vigil/jwks.json. Its aud
// is the app's name in the gateway config, so one app cannot replay it to
// another.
//
// Usage:
//
//	v, err := vigilauth.NewVerifier(ctx, vigilauth.Config{
//		JWKSURL:  "https://gw.example.com/.well-known/vigil/jwks.json",
//		Issuer:   "https://gw.example.com",
//		Audience: "wiki",
//	})
//	if err != nil { ... }
//	http.Handle("/", v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//		c, _ := vigilauth.FromContext(r.Context())
//		fmt.Fprintf(w, "hello %s\n", c.Email)
//	})))
//
// The verifier fails closed: only the configured asymmetric algorithms
// (ES256 by default; never "none" or HMAC) with the typ
// "vigil-assertion+jwt", a key from the gateway's JWKS, the configured
// issuer and audience, and exp, nbf and iat within a small leeway are
// accepted. Unknown key IDs trigger a JWKS refresh at most once per
// MinRefreshInterval, so forged tokens cannot make it hammer the gateway.
//
// The package depends on go-jose and the standard library only. It never
// logs tokens.
package vigilauth
