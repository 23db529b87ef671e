package console

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
)

// users lists users matching q (email, name or ID, as the service
// matches), or, given who, goes to that user's page.
func (h *Handler) users(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Query().Has("who") {
		return h.findUser(w, r)
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	us, err := h.opt.Service.Users(r.Context(), q, maxRows)
	if err != nil {
		return serviceError(err)
	}
	return h.pages.render(w, http.StatusOK, pageData{Page: "users", Title: "Users", Admin: adminFrom(r.Context()),
		Users: us, Query: q, Shown: len(us)})
}

// findUser turns what the admin typed (user ID or email) into the user's page.
func (h *Handler) findUser(w http.ResponseWriter, r *http.Request) error {
	id, err := h.opt.Service.ResolveUser(r.Context(), strings.TrimSpace(r.URL.Query().Get("who")))
	if err != nil {
		return serviceError(err)
	}
	return seeOther(w, r, userPath(id))
}

// factorRow is a risk factor as the timeline shows it.
type factorRow struct {
	admin.FactorView
	State string // active, cleared, expired
}

// userView is the user page: risk now, the factor timeline (newest
// first) and the live sessions.
type userView struct {
	ID       string
	Email    string
	Name     string
	Provider string
	Groups   []string
	// Verification is the latest identity verification; nil when none.
	Verification *admin.VerificationView
	Score        int
	Level        string
	Active       int
	Timeline     []factorRow
}

func (h *Handler) user(w http.ResponseWriter, r *http.Request) error {
	id, err := h.opt.Service.ResolveUser(r.Context(), r.PathValue("user"))
	if err != nil {
		return serviceError(err)
	}
	rv, err := h.opt.Service.Risk(r.Context(), id)
	if err != nil {
		return serviceError(err)
	}
	ss, err := h.opt.Service.Sessions(r.Context(), id)
	if err != nil {
		return serviceError(err)
	}
	byLastSeen(ss)
	u := &userView{ID: id, Score: rv.Score, Level: rv.Level, Timeline: timeline(rv.Factors, h.opt.Clock())}
	for _, f := range u.Timeline {
		if f.State == "active" {
			u.Active++
		}
	}
	if len(ss) > 0 {
		u.Email, u.Name = ss[0].Email, ss[0].Name
	}
	// A user named by ID may have no user record (only factors): the page
	// still shows their risk and sessions.
	switch uv, err := h.opt.Service.User(r.Context(), id); {
	case err == nil:
		u.Email, u.Name, u.Provider, u.Groups, u.Verification = uv.Email, uv.Name, uv.Provider, uv.Groups, uv.Verification
	case !errors.Is(err, admin.ErrNotFound):
		return serviceError(err)
	}
	notice := revokedNotice(r.URL.Query())
	if r.URL.Query().Get("reset") == "1" {
		notice = "Risk reset: every active factor was cleared."
	}
	return h.pages.render(w, http.StatusOK, pageData{Page: "user", Title: "User", Admin: adminFrom(r.Context()),
		UserView: u, Sessions: ss[:min(len(ss), maxRows)], Total: len(ss), Notice: notice})
}

// timeline orders factors newest first and names their state.
func timeline(fs []admin.FactorView, now time.Time) []factorRow {
	out := make([]factorRow, 0, len(fs))
	for _, f := range fs {
		st := "active"
		switch {
		case f.ClearedAt != nil:
			st = "cleared"
		case !now.Before(f.ExpiresAt):
			st = "expired"
		}
		out = append(out, factorRow{FactorView: f, State: st})
	}
	slices.SortStableFunc(out, func(a, b factorRow) int { return b.At.Compare(a.At) })
	return out
}

// resetRisk clears every active factor of the user, with a reason.
func (h *Handler) resetRisk(w http.ResponseWriter, r *http.Request) error {
	id, err := h.opt.Service.ResolveUser(r.Context(), r.PathValue("user"))
	if err != nil {
		return serviceError(err)
	}
	why, err := reason(r)
	if err != nil {
		return err
	}
	a := adminFrom(r.Context())
	if _, err := h.opt.Service.ResetRisk(r.Context(), id, a.Actor, why); err != nil {
		return serviceError(err)
	}
	return seeOther(w, r, userPath(id)+"?reset=1")
}
