package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/vigil-gw/vigil/internal/authn"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/session"
)

func newSessions(cfg *config.Config, s *Server) (*session.Manager, error) {
	return session.New(session.Options{
		Store: s.db, Clock: s.opts.Clock, Rand: s.opts.Rand, MasterSecret: s.master,
		AbsoluteTimeout: cfg.Session.AbsoluteTimeout.D(), IdleTimeout: cfg.Session.IdleTimeout.D(),
		CookieName: cfg.Session.CookieName, CookieDomain: cfg.Session.CookieDomain,
		Logger: s.log.With("part", "session"),
	})
}

func isNoSession(err error) bool { return errors.Is(err, session.ErrNoSession) }

// revokedReason is the reason a session was revoked with, if any.
func revokedReason(err error) string {
	var r *session.Revoked
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

// sessionCreator adapts the session manager to the sign-in handler.
type sessionCreator struct {
	s  *Server
	st *state
}

func (c sessionCreator) Create(ctx context.Context, id identity.Identity, meta authn.SessionMeta) (*http.Cookie, error) {
	m := session.Meta{UserAgent: meta.Request.UserAgent(), IDToken: meta.IDToken, SID: meta.SID}
	if ip := c.st.clientIP.Of(meta.Request); ip.IsValid() {
		m.IP = ip.String()
	}
	value, sess, err := c.s.sessions.Create(ctx, id, m)
	if err != nil {
		return nil, err
	}
	c.s.metrics.Login(id.Provider)
	c.s.audit.Write(auditRecord(c.s, "login", sess.ID, sess.UserID, id.Email, m.IP))
	if c.s.ssfOut != nil {
		c.s.ssfOut.SessionEstablished(ctx, sess)
	}
	return c.s.sessions.Cookie(value, secureCookies(c.st.cfg)), nil
}

// sessionRevoker ends the request's session at logout.
type sessionRevoker struct {
	s          *Server
	cookieName string
}

func (v sessionRevoker) Revoke(ctx context.Context, r *http.Request) (authn.Revoked, error) {
	c, err := r.Cookie(v.cookieName)
	if err != nil || c.Value == "" {
		return authn.Revoked{}, nil
	}
	st := v.s.state.Load()
	out := authn.Revoked{Clear: v.s.sessions.ClearCookie(secureCookies(st.cfg))}
	sess, err := v.s.sessions.Lookup(ctx, c.Value)
	if errors.Is(err, session.ErrNoSession) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	// The cache keeps no ID token; the store does, for id_token_hint: read
	// it before the session is deleted.
	if full, err := v.s.db.GetSession(ctx, sess.ID); err == nil {
		out.IDToken = full.IDToken
	}
	if err := v.s.sessions.Revoke(ctx, sess.ID); err != nil && !errors.Is(err, session.ErrNoSession) {
		return out, err
	}
	v.s.audit.Write(auditRecord(v.s, "logout", sess.ID, sess.UserID, sess.Identity.Email, ""))
	if v.s.emitter != nil {
		v.s.emitter.SessionRevoked(ctx, sess, "signed out")
	}
	out.Provider = sess.Provider
	return out, nil
}

func secureCookies(cfg *config.Config) bool {
	return strings.HasPrefix(cfg.Server.PublicURL, "https://")
}
