package admin

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// actor names the caller in audit records. The token is shared, so the
// operator's own name (X-Vigil-Admin, set by the CLI from $USER) is only
// a label, never an authorization.
func actor(r *http.Request) string {
	name := r.Header.Get("X-Vigil-Admin")
	if name == "" || !oneLine(name, 64) {
		return "admin"
	}
	return "admin:" + name
}

// oneLine reports whether s is UTF-8 of at most max bytes without control
// characters (C0, DEL or C1: U+009B is CSI to a terminal), so that it can
// sit in an audit record and on an operator's terminal as it is.
func oneLine(s string, max int) bool {
	return len(s) <= max && utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

func (a *API) listSessions(_ http.ResponseWriter, r *http.Request) (any, error) {
	user := r.URL.Query().Get("user")
	if user != "" {
		id, err := a.svc.ResolveUser(r.Context(), user)
		if err != nil {
			return nil, err
		}
		user = id
	}
	ss, err := a.svc.Sessions(r.Context(), user)
	if err != nil {
		return nil, err
	}
	if ss == nil {
		ss = []SessionView{}
	}
	return map[string]any{"sessions": ss}, nil
}

func (a *API) revoke(_ http.ResponseWriter, r *http.Request) (any, error) {
	var rv Revocation
	if err := decode(r, &rv); err != nil {
		return nil, err
	}
	switch rv.Scope {
	case ScopeSession, ScopeApp, ScopeProvider:
	case ScopeUser:
		id, err := a.svc.ResolveUser(r.Context(), rv.Key)
		if err != nil {
			return nil, err
		}
		rv.Key = id
	default:
		return nil, fmt.Errorf("%w: scope must be session, user, app or provider", ErrInvalid)
	}
	if rv.Key == "" {
		return nil, fmt.Errorf("%w: key is required", ErrInvalid)
	}
	if err := checkReason(rv.Reason); err != nil {
		return nil, err
	}
	rv.By = actor(r)
	n, err := a.svc.Revoke(r.Context(), rv)
	if err != nil {
		return nil, err
	}
	return map[string]any{"scope": rv.Scope, "key": rv.Key, "revoked": n}, nil
}

func (a *API) user(r *http.Request) (string, error) {
	return a.svc.ResolveUser(r.Context(), r.PathValue("user"))
}

func (a *API) risk(_ http.ResponseWriter, r *http.Request) (any, error) {
	id, err := a.user(r)
	if err != nil {
		return nil, err
	}
	return a.svc.Risk(r.Context(), id)
}

func (a *API) resetRisk(_ http.ResponseWriter, r *http.Request) (any, error) {
	id, err := a.user(r)
	if err != nil {
		return nil, err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &body); err != nil {
		return nil, err
	}
	if err := checkReason(body.Reason); err != nil {
		return nil, err
	}
	if body.Reason == "" {
		return nil, fmt.Errorf("%w: say why the risk is reset (reason); it is audited", ErrInvalid)
	}
	return a.svc.ResetRisk(r.Context(), id, actor(r), body.Reason)
}

func (a *API) raiseRisk(_ http.ResponseWriter, r *http.Request) (any, error) {
	id, err := a.user(r)
	if err != nil {
		return nil, err
	}
	var body struct {
		Severity int    `json:"severity"`
		Reason   string `json:"reason"`
		TTL      string `json:"ttl"`
	}
	if err := decode(r, &body); err != nil {
		return nil, err
	}
	if body.Severity < 1 || body.Severity > 100 {
		return nil, fmt.Errorf("%w: severity must be 1..100", ErrInvalid)
	}
	if err := checkReason(body.Reason); err != nil {
		return nil, err
	}
	if body.Reason == "" {
		return nil, fmt.Errorf("%w: say why the risk is raised (reason); the user is shown it", ErrInvalid)
	}
	ttl := 24 * time.Hour
	if body.TTL != "" {
		d, err := time.ParseDuration(body.TTL)
		if err != nil || d <= 0 || d > 90*24*time.Hour {
			return nil, fmt.Errorf("%w: ttl must be a duration such as 24h, at most 2160h", ErrInvalid)
		}
		ttl = d
	}
	return a.svc.RaiseRisk(r.Context(), id, Raise{Severity: body.Severity, Reason: body.Reason, TTL: ttl, By: actor(r)})
}

// checkReason bounds the free text that reaches users and audit logs.
func checkReason(s string) error {
	if !oneLine(s, 200) {
		return fmt.Errorf("%w: reason must be one line of at most 200 bytes", ErrInvalid)
	}
	return nil
}
