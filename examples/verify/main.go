// Command verify is a tiny upstream app behind the Vigil gateway: it checks
// the signed identity assertion with pkg/vigilauth and prints the claims.
// It is an example, not part of the gateway; it must never trust a request
// the middleware did not let through.
//
//	go run ./examples/verify -jwks https://gw.example.com/.well-known/vigil/jwks.json \
//	    -issuer https://gw.example.com -audience wiki -listen 127.0.0.1:9000
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

func main() {
	jwks := flag.String("jwks", "", "gateway JWKS URL (https://<gateway>/.well-known/vigil/jwks.json)")
	issuer := flag.String("issuer", "", "gateway public URL (the assertion's iss)")
	audience := flag.String("audience", "", "this app's name in the gateway config (the assertion's aud)")
	listen := flag.String("listen", "127.0.0.1:9000", "address to listen on")
	flag.Parse()

	v, err := vigilauth.NewVerifier(context.Background(), vigilauth.Config{
		JWKSURL: *jwks, Issuer: *issuer, Audience: *audience,
	})
	if err != nil {
		log.Fatal(err)
	}
	show := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := vigilauth.FromContext(r.Context())
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(c)
	})
	srv := &http.Server{Addr: *listen, Handler: v.Middleware(show), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("listening on %s", *listen)
	log.Fatal(srv.ListenAndServe())
}
