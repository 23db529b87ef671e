package vigilauth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/vigil-gw/vigil/internal/assertion"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

// memKeys is an in-memory assertion.KeyStore for the example.
type memKeys struct {
	mu   sync.Mutex
	keys []store.SigningKey
}

var _ assertion.KeyStore = (*memKeys)(nil)

func (m *memKeys) PutSigningKey(_ context.Context, k *store.SigningKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys = append(m.keys, *k)
	return nil
}

func (m *memKeys) ListSigningKeys(context.Context) ([]store.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]store.SigningKey(nil), m.keys...), nil
}

// Example runs a gateway's signer and JWKS endpoint and an upstream app
// protected by the middleware, end to end.
func Example() {
	ctx := context.Background()
	gw := httptest.NewServer(nil)
	defer gw.Close()
	signer, err := assertion.New(ctx, assertion.Config{
		Issuer:       gw.URL,
		MasterSecret: []byte("example secret, 32 bytes or more!"),
		Store:        &memKeys{},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	gw.Config.Handler = signer.JWKSHandler()

	// The upstream app.
	v, err := vigilauth.NewVerifier(ctx, vigilauth.Config{
		JWKSURL: gw.URL + assertion.JWKSPath, Issuer: gw.URL, Audience: "wiki",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	app := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := vigilauth.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s (%s via %s, groups %v)", c.Name, c.Email, c.IdP, c.Groups)
	})))
	defer app.Close()

	// What the gateway does for a signed-in user on each request.
	now := time.Now()
	sess := &store.Session{
		ID: "s-1", UserID: "u-42", Provider: "okta", ExpiresAt: now.Add(time.Hour),
		Identity: identity.Identity{Subject: "00u1", Email: "ada@example.com", Name: "Ada", Groups: []string{"eng"}},
	}
	tok, err := signer.Mint(sess, "wiki", now)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, header := range []string{tok, "forged"} {
		req, _ := http.NewRequest(http.MethodGet, app.URL, nil)
		req.Header.Set(vigilauth.DefaultHeader, header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d %s", resp.StatusCode, body)
		fmt.Println()
	}
	// Output:
	// 200 hello Ada (ada@example.com via okta, groups [eng])
	// 401 unauthorized
}
