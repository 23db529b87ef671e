package console

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/httperr"
)

// maxRows bounds a session table; the page says when more matched.
const maxRows = 500

// overview is the front page's summary of live sessions.
type overview struct {
	Sessions  int
	Users     int
	Verified  int
	Providers []providerCount
	Recent    []admin.SessionView
}

type providerCount struct {
	Name  string
	Count int
}

func (h *Handler) overview(w http.ResponseWriter, r *http.Request) error {
	ss, err := h.opt.Service.Sessions(r.Context(), "")
	if err != nil {
		return serviceError(err)
	}
	o := &overview{Sessions: len(ss)}
	users, provs := map[string]bool{}, map[string]int{}
	for _, s := range ss {
		users[s.User] = true
		provs[s.Provider]++
		if s.Level != "" {
			o.Verified++
		}
	}
	o.Users = len(users)
	for name, n := range provs {
		o.Providers = append(o.Providers, providerCount{name, n})
	}
	slices.SortFunc(o.Providers, func(a, b providerCount) int { return cmp.Compare(a.Name, b.Name) })
	byLastSeen(ss)
	o.Recent = ss[:min(len(ss), 10)]
	return h.pages.render(w, http.StatusOK, pageData{Page: "overview", Title: "Overview", Admin: adminFrom(r.Context()), Overview: o})
}

// sessionFilter is what the sessions page was asked for.
type sessionFilter struct {
	User     string // as typed: a user ID or an email
	Provider string
}

func (f sessionFilter) Any() bool { return f.User != "" || f.Provider != "" }

func (h *Handler) sessions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := sessionFilter{User: strings.TrimSpace(q.Get("user")), Provider: strings.TrimSpace(q.Get("provider"))}
	userID := ""
	if f.User != "" {
		id, err := h.opt.Service.ResolveUser(r.Context(), f.User)
		if err != nil {
			return serviceError(err)
		}
		userID = id
	}
	ss, err := h.opt.Service.Sessions(r.Context(), userID)
	if err != nil {
		return serviceError(err)
	}
	if f.Provider != "" {
		ss = slices.DeleteFunc(ss, func(s admin.SessionView) bool { return s.Provider != f.Provider })
	}
	byLastSeen(ss)
	d := pageData{Page: "sessions", Title: "Sessions", Admin: adminFrom(r.Context()), Filter: f, Total: len(ss),
		Sessions: ss[:min(len(ss), maxRows)], Notice: revokedNotice(q)}
	d.Shown = len(d.Sessions)
	return h.pages.render(w, http.StatusOK, d)
}

// revoke ends one session, or every session of a user, with a reason.
func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) error {
	a := adminFrom(r.Context())
	rv := admin.Revocation{Scope: r.PostForm.Get("scope"), Key: strings.TrimSpace(r.PostForm.Get("key")), By: a.Actor}
	switch rv.Scope {
	case admin.ScopeSession:
	case admin.ScopeUser:
		id, err := h.opt.Service.ResolveUser(r.Context(), rv.Key)
		if err != nil {
			return serviceError(err)
		}
		rv.Key = id
	default:
		return &httperr.Error{Status: http.StatusBadRequest, Code: "bad-scope", Title: "Not done",
			Public: "Revoke one session or all of a user's."}
	}
	if rv.Key == "" {
		return &httperr.Error{Status: http.StatusBadRequest, Code: "no-key", Title: "Not done", Public: "Name the session or user to revoke."}
	}
	var err error
	if rv.Reason, err = reason(r); err != nil {
		return err
	}
	n, err := h.opt.Service.Revoke(r.Context(), rv)
	if err != nil {
		return serviceError(err)
	}
	h.opt.Logger.Info("console: sessions revoked", "scope", rv.Scope, "revoked", n)
	v := url.Values{"revoked": {strconv.Itoa(n)}}
	if u := r.PostForm.Get("return_user"); u != "" {
		return seeOther(w, r, userPath(u)+"?"+v.Encode())
	}
	return seeOther(w, r, BasePath+"/sessions?"+v.Encode())
}

// revokedNotice is the line shown after a revocation redirected here.
func revokedNotice(q url.Values) string {
	n, err := strconv.Atoi(q.Get("revoked"))
	switch {
	case err != nil || n < 0:
		return ""
	case n == 1:
		return "Revoked 1 session."
	}
	return "Revoked " + strconv.Itoa(n) + " sessions."
}

// byLastSeen sorts the most recently active first.
func byLastSeen(ss []admin.SessionView) {
	slices.SortStableFunc(ss, func(a, b admin.SessionView) int { return b.LastSeenAt.Compare(a.LastSeenAt) })
}

func userPath(id string) string { return BasePath + "/users/" + url.PathEscape(id) }
