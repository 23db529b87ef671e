package vigilauth_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/assertion"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// headerOf returns the encoded protected header, which names the kid.
func headerOf(tok string) string { return strings.SplitN(tok, ".", 2)[0] }

// TestSignerRotationEndToEnd verifies assertions from the real signer
// across a key rotation.
func TestSignerRotationEndToEnd(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	gw := httptest.NewServer(nil)
	defer gw.Close()
	signer, err := assertion.New(ctx, assertion.Config{
		Issuer: gw.URL, MasterSecret: []byte("0123456789abcdef0123456789abcdef"), Store: &memKeys{}, Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	gw.Config.Handler = signer.JWKSHandler()
	v, err := vigilauth.NewVerifier(ctx, vigilauth.Config{
		JWKSURL: gw.URL + assertion.JWKSPath, Issuer: gw.URL, Audience: "wiki", Clock: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	sess := &store.Session{
		ID: "s-1", UserID: "u-42", Provider: "okta", ExpiresAt: clk.Now().Add(12 * time.Hour),
		Identity: identity.Identity{Subject: "00u1", Email: "ada@example.com", AuthTime: clk.Now()},
	}
	mintVerify := func() string {
		t.Helper()
		tok, err := signer.Mint(sess, "wiki", clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		c, err := v.Verify(ctx, tok)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if c.Subject != "u-42" || c.IdPSubject != "00u1" || c.SessionID != "s-1" || !c.AuthTime.Equal(sess.Identity.AuthTime) {
			t.Fatalf("claims = %+v", c)
		}
		return headerOf(tok)
	}
	before := mintVerify()
	clk.Add(time.Second) // keys made in the same instant would tie
	if err := signer.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Add(assertion.DefaultPublishAhead)
	if err := signer.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if after := mintVerify(); after == before {
		t.Fatal("rotation did not change the signing key")
	}
	// A token for another app is refused by this one.
	other, _ := signer.Mint(sess, "crm", clk.Now())
	if _, err := v.Verify(ctx, other); err == nil {
		t.Fatal("token for crm accepted by wiki")
	}
}
