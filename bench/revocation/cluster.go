package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/demoidp"
)

// cluster is the gateways over one database: gws[0] is A, where alice
// signs in and the admin revokes; the others are the replicas measured.
type cluster struct {
	adminToken string
	gws        []*gateway
}

func (c *cluster) a() *gateway { return c.gws[0] }

// others are every gateway but A.
func (c *cluster) others() []*gateway { return c.gws[1:] }

// alive reports the first gateway that has exited.
func (c *cluster) alive() error {
	var errs []error
	for _, g := range c.gws {
		errs = append(errs, g.alive())
	}
	return errors.Join(errs...)
}

// stop stops the replicas first, A last: they only read; A may be
// finishing a write.
func (c *cluster) stop() {
	for i := len(c.gws) - 1; i >= 0; i-- {
		c.gws[i].stop()
	}
}

// replicaName is A, B, C, ... (main allows at most 26 replicas).
func replicaName(i int) string { return string(rune('A' + i)) }

// settings are what every configuration file shares.
type settings struct {
	sessionSecret, adminToken string
	issuer, clientSecret      string
	upstream                  string
	db                        *database
}

// startCluster starts the demo IdP here and n gateways on db, one at a
// time, so that only the first one creates the tables.
func startCluster(ctx context.Context, bin, dir, upstream string, n int, db *database) (_ *cluster, closeIdP func(), err error) {
	addrs := make([]string, n)
	var redirects []string
	for i := range addrs {
		if addrs[i], err = freeAddr(); err != nil {
			return nil, nil, err
		}
		redirects = append(redirects, "http://"+addrs[i]+"/.vigil/callback")
	}
	s := settings{upstream: upstream, db: db}
	for _, p := range []*string{&s.sessionSecret, &s.adminToken, &s.clientSecret} {
		if *p, err = randomSecret(); err != nil {
			return nil, nil, err
		}
	}
	// The issuer is named localhost, as bench/main.go does: plain http is
	// accepted for loopback issuers.
	idpL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	s.issuer = fmt.Sprintf("http://localhost:%d", idpL.Addr().(*net.TCPAddr).Port)
	idp, err := demoidp.New(demoidp.Config{Issuer: s.issuer, Users: demoidp.DefaultUsers(), Clients: []demoidp.Client{{
		ID: "vigil", Secret: s.clientSecret, RedirectURIs: redirects,
	}}})
	if err != nil {
		idpL.Close()
		return nil, nil, fmt.Errorf("demo IdP: %w", err)
	}
	idpSrv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	go idpSrv.Serve(idpL)
	closeIdP = func() { idpSrv.Close() }
	c := &cluster{adminToken: s.adminToken}
	for i, addr := range addrs {
		name := replicaName(i)
		cfg, err := writeConfig(dir, name, addr, s)
		if err == nil {
			var g *gateway
			if g, err = start(ctx, bin, dir, name, addr, cfg); err == nil {
				c.gws = append(c.gws, g)
			}
		}
		if err != nil {
			c.stop()
			closeIdP()
			return nil, nil, err
		}
	}
	return c, closeIdP, nil
}

// writeConfig writes gateway name's configuration: its own listen
// address, public URL and audit file; everything else shared. The secrets
// (and the DSN, which may carry a password) are in a 0600 file in a
// private directory, never on a command line.
func writeConfig(dir, name, addr string, s settings) (string, error) {
	q := func(v string) string { return fmt.Sprintf("%q", v) }
	name = strings.ToLower(name)
	yaml := strings.Join([]string{
		"server:",
		"  listen: " + q(addr),
		"  public_url: " + q("http://"+addr),
		"session:",
		"  secret: {value: " + q(s.sessionSecret) + "}",
		"store:",
		"  driver: " + s.db.driver,
		"  dsn: " + q(s.db.dsn),
		"log:",
		"  level: warn",
		"  audit: " + q(filepath.Join(dir, "audit-"+name+".jsonl")),
		"admin:",
		"  token: {value: " + q(s.adminToken) + "}",
		"providers:",
		"  - name: demo",
		"    issuer: " + q(s.issuer),
		"    client_id: vigil",
		"    client_secret: {value: " + q(s.clientSecret) + "}",
		"apps:",
		"  - name: bench",
		"    upstream: " + q(s.upstream),
		"    policies:",
		"      - name: staff",
		"        action: allow",
		"        include: [{email_domain: example.com}]",
		"",
	}, "\n")
	path := filepath.Join(dir, "vigil-"+name+".yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return path, nil
}
