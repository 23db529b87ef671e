package replicas

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/internal/store/postgres/pgtest"
	"github.com/vigil-gw/vigil/internal/testenv/vigilproc"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

const (
	appName   = "app"
	staff     = "staff"
	clientID  = "vigil"
	userCount = 10
)

// cluster is gateways on one PostgreSQL schema, a demo IdP in the test
// process, and for each gateway an app that checks its assertions.
type cluster struct {
	gw         map[string]*vigilproc.Gateway
	issuer     string
	dsn        string
	secret     string // session master secret, shared
	adminToken string // shared
	idpSecret  string // the IdP client's secret
	users      []*user
}

// newCluster makes gateways named names on a fresh schema and starts
// them, one after the other, as a rolling deployment would.
func newCluster(t *testing.T, names ...string) *cluster {
	t.Helper()
	_, dsn := pgtest.Schema(t)
	c := &cluster{
		gw: map[string]*vigilproc.Gateway{}, dsn: dsn,
		secret: randomText(), adminToken: randomText(), idpSecret: randomText(),
	}
	var redirects []string
	for _, n := range names {
		g := vigilproc.New(t, n)
		c.gw[n] = g
		redirects = append(redirects, g.URL+"/.vigil/callback")
	}
	c.startIdP(t, redirects)
	for _, n := range names {
		g := c.gw[n]
		g.Start(c.config(newApp(t, g)))
	}
	return c
}

// startIdP runs the demo IdP with userCount members of staff. Its issuer
// is on localhost, not 127.0.0.1, so that its cookies stay apart from the
// gateways'.
func (c *cluster) startIdP(t *testing.T, redirects []string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.issuer = "http://localhost:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	// One transport for every browser: connections to a gateway are
	// reused across users, as a load balancer's would be.
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	var users []demoidp.User
	for i := range userCount {
		name := fmt.Sprintf("user%02d", i)
		u := demoidp.User{Subject: "demo-" + name, Username: name, Password: name + "-replica-password",
			Email: name + "@example.com", Name: "User " + name, Groups: []string{staff}}
		users = append(users, u)
		c.users = append(c.users, newUser(u, tr))
	}
	idp, err := demoidp.New(demoidp.Config{Issuer: c.issuer, Users: users, Logger: slog.New(slog.DiscardHandler),
		Clients: []demoidp.Client{{ID: clientID, Secret: c.idpSecret, RedirectURIs: redirects}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
}

// config is a gateway's configuration: everything shared but the app,
// which is the gateway's own (vigilproc sets the address).
func (c *cluster) config(app string) *config.Config {
	return &config.Config{
		Session: config.Session{Secret: config.Secret{Value: c.secret}},
		// Four connections a gateway, as in the in-process test: three
		// gateways and their change feeds stay far below max_connections.
		Store: config.Store{Driver: "postgres", DSN: pgtest.WithParams(c.dsn, "pool_max_conns", "4")},
		Log:   config.Log{Format: "text"},
		Admin: config.Admin{Token: config.Secret{Value: c.adminToken}},
		Providers: []config.Provider{{Name: "demo", Issuer: c.issuer, ClientID: clientID,
			ClientSecret: config.Secret{Value: c.idpSecret}, Scopes: []string{"openid", "email", "profile", "groups"}}},
		// Every browser here is on 127.0.0.1, as behind an office NAT:
		// without this the farm-address detector would rightly see ten
		// users behind one address and ask them to verify.
		Risk: config.Risk{SharedNetworks: []string{"127.0.0.0/8"}},
		Apps: []config.App{{Name: appName, Upstream: app, Policies: []config.Rule{{Name: "staff", Action: "allow",
			Include: []config.Selector{{Group: config.StringList{staff}}}}}}},
	}
}

// echo is what an app saw: which gateway's assertion, for whom.
type echo struct {
	Gateway  string `json:"gateway"`
	Verified bool   `json:"verified"`
	Email    string `json:"email"`
	Error    string `json:"error,omitempty"`
}

// newApp is gateway g's upstream: it verifies the assertion against g's
// key set, as a real app would, and says what it found. It answers 200
// whatever it finds: the test judges.
func newApp(t *testing.T, g *vigilproc.Gateway) string {
	t.Helper()
	v, err := vigilauth.NewVerifier(context.Background(), vigilauth.Config{
		JWKSURL: g.URL + "/.well-known/vigil/jwks.json", Issuer: g.URL, Audience: appName})
	if err != nil {
		t.Fatal(err)
	}
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := echo{Gateway: g.Name}
		if c, err := v.Verify(r.Context(), r.Header.Get(vigilauth.DefaultHeader)); err != nil {
			e.Error = err.Error()
		} else {
			e.Verified, e.Email = true, c.Email
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(e)
	}))
	t.Cleanup(app.Close)
	return app.URL
}

// randomText is a fresh secret of 52 base32 characters (260 bits).
func randomText() string { return rand.Text() + rand.Text() }
