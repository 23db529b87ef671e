// Package admintest serves the real admin API over a real SQLite store and
// session manager, with one signed-in user, for the API's and the CLI's
// tests.
package admintest

import (
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/assurance"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// Token is the admin token of every test server.
const Token = "admin-api-test-token-0123456789"

// Server is a running admin API with ada@example.com signed in once.
type Server struct {
	*httptest.Server
	UserID    string // ada's
	SessionID string
	Sessions  *session.Manager
	Cookie    string // ada's session cookie value
}

// New serves the admin API until the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "v.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m, err := session.New(session.Options{Store: db, MasterSecret: []byte("admin-test-master-secret-0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	cookie, s, err := m.Create(t.Context(), identity.Identity{Provider: "corp", Subject: "ada", Email: "ada@example.com", Name: "Ada"}, session.Meta{IP: "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := assurance.New(assurance.Options{Store: db, Sessions: m, Engine: risk.NewEngine(risk.Thresholds{Medium: 40, High: 70})})
	if err != nil {
		t.Fatal(err)
	}
	api, err := admin.New(admin.Options{Token: []byte(Token), Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return &Server{Server: srv, UserID: s.UserID, SessionID: s.ID, Sessions: m, Cookie: cookie}
}
