package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/assertion"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/evidence/emrtd"
	"github.com/vigil-gw/vigil/internal/evidence/face"
	"github.com/vigil-gw/vigil/internal/evidence/face/facenet"
	"github.com/vigil-gw/vigil/internal/evidence/ocr"
	"github.com/vigil-gw/vigil/internal/evidence/trust"
	"github.com/vigil-gw/vigil/internal/mail"
	"github.com/vigil-gw/vigil/internal/oidcop"
	"github.com/vigil-gw/vigil/internal/opkeys"
	"github.com/vigil-gw/vigil/internal/verifier"
	"github.com/vigil-gw/vigil/internal/verifier/review"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

// newIDV builds the built-in verification provider from cfg.IDV. gateway
// is the public URL of the gateway whose assertions it accepts as
// login_hint ("" for none).
func newIDV(ctx context.Context, cfg *config.Config, s *Server, gateway string) (*verifier.Verifier, error) {
	c := cfg.IDV
	log := s.log.With(slog.String("part", "idv"))
	var hints verifier.HintVerifier
	if gateway != "" {
		// The gateway mints these for the verifier's issuer (its
		// verifiers[].login_hint: assertion); no other audience is taken.
		hv, err := vigilauth.NewVerifier(context.Background(), vigilauth.Config{
			JWKSURL: gateway + assertion.JWKSPath, Issuer: gateway, Audience: c.Issuer,
			Clock: s.opts.Clock, Logger: log,
		})
		if err != nil {
			return nil, fmt.Errorf("idv login hints: %w", err)
		}
		hints = hv
	}
	var clients []oidcop.Client
	for _, cl := range c.Clients {
		secret := ""
		if !cl.ClientSecret.IsZero() {
			v, err := cl.ClientSecret.Resolve()
			if err != nil {
				return nil, fmt.Errorf("idv client %s: %w", cl.ClientID, err)
			}
			secret = v
		}
		clients = append(clients, oidcop.Client{ID: cl.ClientID, Secret: secret,
			RedirectURIs: cl.RedirectURIs, PostLogoutRedirectURIs: cl.PostLogoutRedirectURIs})
	}
	var sender verifier.Sender
	if c.DevMailbox {
		w := s.opts.DevMailbox
		if w == nil {
			w = os.Stderr
		}
		log.Warn("idv: dev_mailbox is on: work-email codes are written to the log, not sent; for local trials only")
		sender = mail.NewDevMailbox(w)
	} else {
		pw := ""
		if !c.Mail.Password.IsZero() {
			v, err := c.Mail.Password.Resolve()
			if err != nil {
				return nil, fmt.Errorf("idv.mail.password: %w", err)
			}
			pw = v
		}
		tls := map[string]string{"starttls": mail.TLSStartTLS, "tls": mail.TLSImplicit, "none": mail.TLSNone}[c.Mail.TLS]
		m, err := mail.New(mail.Config{Host: c.Mail.Host, Port: c.Mail.Port, Username: c.Mail.Username, Password: pw,
			From: c.Mail.From, TLS: tls}, s.opts.Clock, log)
		if err != nil {
			return nil, fmt.Errorf("idv.mail: %w", err)
		}
		sender = m
	}
	reader := &ocr.Reader{Logger: log}
	if err := reader.Available(); err != nil {
		// The document step reports it to users; say it once here too.
		log.Warn("idv: the document step cannot read ID documents", "err", err)
	}
	// ID-token keys live in the store, wrapped under the master secret:
	// tokens survive restarts, replicas agree, keys rotate.
	ring, err := opkeys.New(ctx, opkeys.Config{Store: s.db, Master: s.master, Algorithm: c.SigningAlgorithm,
		Now: s.opts.Clock, Rand: s.opts.Rand, Logger: log.With(slog.String("part", "op-keys"))})
	if err != nil {
		return nil, fmt.Errorf("idv signing keys: %w", err)
	}
	s.opKeys = ring
	var chipTrust emrtd.Trust
	if len(c.Trust) > 0 {
		ts, err := loadTrust(c.Trust, s.opts.Clock(), log)
		if err != nil {
			return nil, err
		}
		chipTrust = ts
	}
	var faces verifier.FaceMatcher
	if !c.FaceMatch.Disabled {
		net, err := facenet.LoadEmbedded()
		if err != nil {
			return nil, fmt.Errorf("idv face match: %w", err)
		}
		fm, err := face.New(face.Config{Net: net, Threshold: float32(c.FaceMatch.Threshold), Margin: float32(c.FaceMatch.Margin)})
		if err != nil {
			return nil, fmt.Errorf("idv.face_match: %w", err)
		}
		faces = fm
	}
	return verifier.New(verifier.Config{
		Trust: chipTrust, Faces: faces, AutoDecide: !c.ReviewAll && faces != nil,
		Issuer: c.Issuer, Clients: clients, Master: s.master, Store: s.db, Mail: sender, From: c.Organization, Keys: ring,
		OCR: reader, Hints: hints, AllowedEmailDomains: c.AllowedEmailDomains, Organization: c.Organization,
		EvidenceRetention: c.EvidenceRetention.D(), VerificationLifetime: c.VerificationLifetime.D(),
		OnDuplicateFace: s.duplicateFace, Clock: s.opts.Clock, Rand: s.opts.Rand, Logger: log,
	})
}

// loadTrust reads the CSCA trust files. Any file that fails verification
// stops the start: a trust store silently missing a country would refuse
// its citizens, one holding an unverified list would trust anyone.
func loadTrust(paths []string, now time.Time, log *slog.Logger) (*trust.Store, error) {
	ts := trust.NewStore()
	sum, err := ts.LoadFiles(paths, now)
	if err != nil {
		return nil, fmt.Errorf("idv.trust: %w", err)
	}
	countries := map[string]bool{}
	for _, c := range ts.List() {
		countries[c.Country] = true
	}
	log.Info("idv: chip trust loaded", "cscas", len(ts.List()), "countries", len(countries),
		"master_lists", sum.MasterLists, "crls", sum.CRLs)
	return ts, nil
}

// idvMount returns the path prefix under which the gateway's own listener
// serves the verifier: its issuer must share the public URL's origin.
// Otherwise "" (it then needs `vigil verifier` or its own listener).
func idvMount(cfg *config.Config) string {
	if cfg.IDV == nil {
		return ""
	}
	iu, err1 := url.Parse(cfg.IDV.Issuer)
	pu, err2 := url.Parse(cfg.Server.PublicURL)
	if err1 != nil || err2 != nil || iu.Scheme != pu.Scheme || !strings.EqualFold(iu.Host, pu.Host) || iu.Path == "" {
		return ""
	}
	return iu.Path
}

// serveIDV reports whether r is for the embedded verifier and serves it.
func (s *Server) serveIDV(w http.ResponseWriter, r *http.Request, mount string) bool {
	if s.idv == nil || mount == "" {
		return false
	}
	p := r.URL.Path
	if p != mount && !strings.HasPrefix(p, mount+"/") {
		return false
	}
	if !s.isPublicHost(s.state.Load(), r.Host) {
		return false
	}
	s.idv.ServeHTTP(w, r)
	return true
}

// newReview builds the reviewers' UI for the idv.review section: it trusts
// only Vigil assertions minted for the review app (its audience), so it
// must be reached through the gateway.
func newReview(cfg *config.Config, s *Server) (http.Handler, error) {
	r := cfg.IDV.Review
	base := ""
	for _, a := range cfg.Apps {
		if a.Name == r.App && a.PathPrefix != "/" {
			base = a.PathPrefix
		}
	}
	av, err := vigilauth.NewVerifier(context.Background(), vigilauth.Config{
		JWKSURL: cfg.Server.PublicURL + "/.well-known/vigil/jwks.json", Issuer: cfg.Server.PublicURL,
		Audience: r.App, Header: cfg.Assertion.Header,
	})
	if err != nil {
		return nil, err
	}
	return review.New(review.Options{
		Verifier: s.idv, Store: s.db, Assertions: av, ReviewerGroups: r.Groups, Header: cfg.Assertion.Header,
		BasePath: base, TrustedOrigins: []string{cfg.Server.PublicURL}, Logger: s.log.With(slog.String("part", "review")),
		Clock: s.opts.Clock,
	})
}
