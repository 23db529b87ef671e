package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/vigil-gw/vigil/internal/authn"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/console"
	"github.com/vigil-gw/vigil/internal/keys"
)

// purposeConsoleCSRF derives the key the console's form tokens are signed
// with; every replica derives the same one.
const purposeConsoleCSRF = "vigil console csrf v1"

// newConsole builds the web console when admin.console.group is set. It
// calls the assurance service in-process, so it needs no admin token.
func (s *Server) newConsole(cfg *config.Config) error {
	if cfg.Admin.Console.Group == "" {
		return nil
	}
	key, err := keys.Derive(s.master, purposeConsoleCSRF)
	if err != nil {
		return err
	}
	s.console, err = console.New(console.Options{
		Service: s.assure, Sessions: s.sessions, Group: cfg.Admin.Console.Group, EvidenceGroup: cfg.Admin.Console.EvidenceGroup, CSRFKey: key,
		Reviews: s.adminReviews(), Audit: s.adminAudit(cfg), Apps: s.appNames, AppConfigs: s.appConfigs,
		PublicURL: cfg.Server.PublicURL, LoginPath: authn.PathLogin,
		Logger: s.log.With("part", "console"), Clock: s.opts.Clock,
	})
	return err
}

// appNames lists the running configuration's apps, for the console's
// policy tester: after a reload it shows the new list.
func (s *Server) appNames() []string {
	st := s.state.Load()
	if st == nil {
		return nil
	}
	names := make([]string, len(st.cfg.Apps))
	for i, a := range st.cfg.Apps {
		names[i] = a.Name
	}
	return names
}

// appConfigs is the running configuration's apps, for the console's apps
// and policies page.
func (s *Server) appConfigs() []config.App {
	if st := s.state.Load(); st != nil {
		return st.cfg.Apps
	}
	return nil
}

// serveConsole serves /.vigil/console/ on the public URL's host (on an
// app's host it is not there). It reports whether it answered.
func (s *Server) serveConsole(w http.ResponseWriter, r *http.Request, p string) bool {
	if p != console.BasePath && !strings.HasPrefix(p, console.BasePath+"/") {
		return false
	}
	if s.console == nil || !s.isPublicHost(s.state.Load(), r.Host) {
		http.NotFound(w, r)
		return true
	}
	s.console.ServeHTTP(w, r)
	return true
}

// consoleProviders is every configured provider when u is the console on
// the public host: the console is Vigil's own page, not an app's, and its
// admin group is the gate. Nil otherwise.
func consoleProviders(cfg *config.Config, u *url.URL) []string {
	if cfg.Admin.Console.Group == "" || !strings.HasPrefix(u.Path, console.BasePath+"/") {
		return nil
	}
	if pu, err := url.Parse(cfg.Server.PublicURL); err != nil || !strings.EqualFold(pu.Host, u.Host) {
		return nil
	}
	names := make([]string, len(cfg.Providers))
	for i, p := range cfg.Providers {
		names[i] = p.Name
	}
	return names
}
