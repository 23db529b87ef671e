package console

import (
	"net/http"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vigil-gw/vigil/internal/config"
)

// appView is one app as configured, for reading: where it is served, what
// it lets in, and its rules written as in the configuration file.
type appView struct {
	Name, Where, Upstream string
	Providers             []string // empty: every provider
	Verifier              string
	Risk                  *config.RiskActions
	Rules                 []ruleView
}

type ruleView struct {
	Name, Action string
	YAML         string // include, require and exclude as the file has them
}

// apps shows the running configuration's apps and policies. Changing them
// is the configuration's business (the file, or `vigil config push`).
func (h *Handler) apps(w http.ResponseWriter, r *http.Request) error {
	var views []appView
	if h.opt.AppConfigs != nil {
		for _, a := range h.opt.AppConfigs() {
			views = append(views, newAppView(a))
		}
	}
	return h.pages.render(w, http.StatusOK, pageData{Page: "apps", Title: "Apps and policies", Admin: adminFrom(r.Context()), Apps: views})
}

func newAppView(a config.App) appView {
	where := a.Host
	if where == "" {
		where = "any host"
	}
	v := appView{Name: a.Name, Where: where + " " + a.PathPrefix, Upstream: a.Upstream,
		Providers: a.Providers, Verifier: a.Verifier, Risk: a.Risk}
	for _, rule := range a.Policies {
		sel := struct {
			Include []config.Selector `yaml:"include,omitempty"`
			Require []config.Selector `yaml:"require,omitempty"`
			Exclude []config.Selector `yaml:"exclude,omitempty"`
		}{rule.Include, rule.Require, rule.Exclude}
		b, err := yaml.Marshal(sel)
		text := strings.TrimSpace(string(b))
		if err != nil {
			text = "(cannot be shown: " + err.Error() + ")"
		}
		v.Rules = append(v.Rules, ruleView{Name: rule.Name, Action: rule.Action, YAML: text})
	}
	return v
}
