package admin

import (
	"fmt"
	"net/http"
	"net/netip"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
)

// PolicyTest asks how an app's running policy decides for a user (by ID
// or email, judged with their stored identity and current risk) or for an
// identity given in full (judged at low risk unless Risk says otherwise).
// Neither: an anonymous request.
type PolicyTest struct {
	App      string             `json:"app"`
	User     string             `json:"user,omitempty"`
	Identity *identity.Identity `json:"identity,omitempty"`
	IP       string             `json:"ip,omitempty"`
	// Risk overrides the level the policy sees: low, medium or high.
	Risk string `json:"risk,omitempty"`
	// At is the request time; default now.
	At time.Time `json:"at,omitzero"`
}

// PolicyReason is one step of a decision.
type PolicyReason struct {
	Code   string `json:"code"`
	Rule   string `json:"rule,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// PolicyDecision is what the gateway would decide, with every reason.
type PolicyDecision struct {
	App      string         `json:"app"`
	User     string         `json:"user,omitempty"` // the user ID judged, when one was named
	Decision string         `json:"decision"`       // allow, bypass or deny
	Rule     string         `json:"rule,omitempty"`
	Risk     string         `json:"risk"`
	Reasons  []PolicyReason `json:"reasons"`
	// StepUp is set when verifying would turn the deny into an allow.
	StepUp *StepUp `json:"step_up,omitempty"`
	// Explanation is the decision as `vigil policy test` prints it.
	Explanation string   `json:"explanation"`
	Hints       []string `json:"hints,omitempty"`
}

// StepUp is the verification a denied user could complete.
type StepUp struct {
	Level  string   `json:"level,omitempty"`
	MaxAge string   `json:"max_age,omitempty"`
	ACR    []string `json:"acr,omitempty"`
}

func (a *API) testPolicy(_ http.ResponseWriter, r *http.Request) (any, error) {
	var t PolicyTest
	if err := decode(r, &t); err != nil {
		return nil, err
	}
	if t.App == "" {
		return nil, fmt.Errorf("%w: app is required", ErrInvalid)
	}
	if t.User != "" && t.Identity != nil {
		return nil, fmt.Errorf("%w: name a user or give an identity, not both", ErrInvalid)
	}
	if t.IP != "" {
		if _, err := netip.ParseAddr(t.IP); err != nil {
			return nil, fmt.Errorf("%w: ip %q is not an IP address", ErrInvalid, t.IP)
		}
	}
	switch t.Risk {
	case "", "low", "medium", "high":
	default:
		return nil, fmt.Errorf("%w: risk must be low, medium or high", ErrInvalid)
	}
	if t.User != "" {
		id, err := a.svc.ResolveUser(r.Context(), t.User)
		if err != nil {
			return nil, err
		}
		t.User = id
	}
	return a.svc.TestPolicy(r.Context(), t)
}
