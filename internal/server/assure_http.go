package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/gateway"
)

// PathDevice is where a Vigil page reports the browser's time zone.
const PathDevice = "/.vigil/device"

// newAdmin serves the admin API when a token is configured.
func (s *Server) newAdmin(cfg *config.Config) error {
	if cfg.Admin.Token.IsZero() {
		return nil
	}
	tok, err := cfg.Admin.Token.Resolve()
	if err != nil {
		return err
	}
	s.admin, err = admin.New(admin.Options{Token: []byte(tok), Service: s.assure, Config: s.cfgSrc, Logger: s.log.With("part", "admin"),
		Reviews: s.adminReviews(), Audit: s.adminAudit(cfg), Clock: s.opts.Clock})
	return err
}

// serveAssurance serves the continuous-assurance endpoints: Shared Signals
// (transmitter discovery and management, the receiver's push endpoint),
// the admin API and the device report. It reports whether it answered.
//
// They answer on the public URL's host only: on an app's host the
// well-known path belongs to the app, and /.vigil/ paths are Vigil's but
// these are not served there.
func (s *Server) serveAssurance(w http.ResponseWriter, r *http.Request, p string) bool {
	if p == "/.well-known/ssf-configuration" {
		if s.transmitter == nil || !s.isPublicHost(s.state.Load(), r.Host) {
			return false // the app's, if it has one
		}
		s.transmitter.Handler().ServeHTTP(w, r)
		return true
	}
	ours := p == PathSSFEvents || p == PathDevice || strings.HasPrefix(p, "/.vigil/ssf/") || strings.HasPrefix(p, admin.BasePath+"/")
	if !ours {
		return false
	}
	if !s.isPublicHost(s.state.Load(), r.Host) {
		http.NotFound(w, r)
		return true
	}
	switch {
	case p == PathSSFEvents:
		if s.receiver == nil {
			http.NotFound(w, r)
		} else {
			s.receiver.PushHandler().ServeHTTP(w, r)
		}
	case strings.HasPrefix(p, "/.vigil/ssf/"):
		if s.transmitter == nil {
			http.NotFound(w, r)
		} else {
			s.transmitter.Handler().ServeHTTP(w, r)
		}
	case strings.HasPrefix(p, admin.BasePath+"/"):
		if s.admin == nil {
			http.NotFound(w, r)
		} else {
			s.admin.ServeHTTP(w, r)
		}
	case p == PathDevice:
		s.device(w, r)
	default:
		return false
	}
	return true
}

// device takes the browser's report of its time zone, for the locale
// detector: {"tz":"Europe/Berlin"} with the device cookie. Nothing in it
// grants anything; it only feeds a risk signal.
func (s *Server) device(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	st := s.state.Load()
	c, err := r.Cookie(st.cfg.Risk.DeviceCookie)
	if err != nil || !gateway.ValidDeviceID(c.Value) {
		http.Error(w, "no device cookie", http.StatusBadRequest)
		return
	}
	var body struct {
		TZ string `json:"tz"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1024)).Decode(&body); err != nil || body.TZ == "" || len(body.TZ) > 64 {
		http.Error(w, `want {"tz": "Area/City"}`, http.StatusBadRequest)
		return
	}
	if _, err := time.LoadLocation(body.TZ); err != nil || body.TZ == "Local" {
		http.Error(w, "unknown time zone", http.StatusBadRequest)
		return
	}
	s.assure.Device(c.Value, body.TZ)
	w.WriteHeader(http.StatusNoContent)
}
