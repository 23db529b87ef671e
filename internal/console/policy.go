package console

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/httperr"
)

// policyForm is the policy tester: what was asked and, once asked, the
// decision or why there is none.
type policyForm struct {
	Apps    []string
	App     string
	User    string // as typed: email or user ID
	IP      string
	Risk    string
	Problem string
	Result  *admin.PolicyDecision
}

// policyTest explains how an app's running policy decides for a user and
// request. It changes nothing, so it is a GET form without a token.
func (h *Handler) policyTest(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := &policyForm{App: strings.TrimSpace(q.Get("app")), User: strings.TrimSpace(q.Get("user")),
		IP: strings.TrimSpace(q.Get("ip")), Risk: q.Get("risk")}
	if h.opt.Apps != nil {
		f.Apps = slices.Sorted(slices.Values(h.opt.Apps()))
	}
	d := pageData{Page: "policy", Title: "Policy tester", Admin: adminFrom(r.Context()), Policy: f}
	if !q.Has("app") {
		return h.pages.render(w, http.StatusOK, d)
	}
	dec, err := h.decide(r, f)
	if err != nil {
		var pe *httperr.Error
		if !errors.As(serviceError(err), &pe) {
			return err
		}
		// Keep the form: the admin corrects what was typed.
		f.Problem = pe.Public
		return h.pages.render(w, pe.Status, d)
	}
	f.Result = &dec
	return h.pages.render(w, http.StatusOK, d)
}

// decide asks the service, which checks the address and the risk level
// as the admin API's policy test does; only "no app chosen" is the form's.
func (h *Handler) decide(r *http.Request, f *policyForm) (admin.PolicyDecision, error) {
	if f.App == "" {
		return admin.PolicyDecision{}, errNoApp
	}
	t := admin.PolicyTest{App: f.App, IP: f.IP, Risk: f.Risk}
	if f.User != "" {
		id, err := h.opt.Service.ResolveUser(r.Context(), f.User)
		if err != nil {
			return admin.PolicyDecision{}, err
		}
		t.User = id
	}
	return h.opt.Service.TestPolicy(r.Context(), t)
}

var errNoApp = &httperr.Error{Status: http.StatusBadRequest, Code: "invalid-request", Title: "Not done", Public: "choose an app"}
