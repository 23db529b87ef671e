package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Risk configures continuous assurance: detectors turn what the gateway
// sees into risk factors, factors into a per-user level, and the level into
// an action on every request (docs/risk.md).
type Risk struct {
	// Disabled turns detectors and risk actions off; every user is then at
	// low risk and the policy selector risk always matches.
	Disabled bool `yaml:"disabled"`
	// Thresholds turn a score (0..100) into a level. Default medium 40, high 70.
	Thresholds RiskThresholds `yaml:"thresholds"`
	// Actions for users at medium and high risk, for every app that does
	// not set its own. Default medium: step_up, high: revoke.
	Actions RiskActions `yaml:"actions"`
	// StepUp is what a risk step-up asks of the verifier.
	StepUp RiskStepUp `yaml:"step_up"`
	// GeoIP lists MaxMind-format city databases (scripts/fetch-geoip.sh
	// fetches DB-IP's). None: the location detectors say so at start and
	// stay off.
	GeoIP []string `yaml:"geoip"`
	// Networks maps a list name (e.g. hosting, vpn) to a file of address
	// prefixes; a request from one raises the hosting-network factor.
	Networks map[string]string `yaml:"networks"`
	// SharedNetworks are prefixes many honest users share (the office's
	// NAT, a corporate VPN): never counted as a farm address.
	SharedNetworks []string `yaml:"shared_networks"`
	// Detectors tunes the detectors.
	Detectors RiskDetectors `yaml:"detectors"`
	// DeviceCookie names the long-lived device cookie. Default "vigil_device".
	DeviceCookie string `yaml:"device_cookie"`
}

// RiskThresholds are the lowest scores of the medium and high levels.
type RiskThresholds struct {
	// Medium is the lowest score at medium risk. Default 40.
	Medium int `yaml:"medium"`
	// High is the lowest score at high risk. Default 70.
	High int `yaml:"high"`
}

// RiskActions say what happens to a request from a user at each level:
// allow, step_up (re-verify now), deny, or revoke (end every session of
// the user). Low risk always allows (the policy still decides).
type RiskActions struct {
	// Medium is the action at medium risk. Default step_up.
	Medium string `yaml:"medium"`
	// High is the action at high risk. Default revoke.
	High string `yaml:"high"`
}

// RiskStepUp is the re-verification a risk step-up demands.
type RiskStepUp struct {
	// MaxAge: the verification must be at most this old, so that a fresh
	// selfie is needed. Default 5m.
	MaxAge Duration `yaml:"max_age"`
	// ACR, when set, is the acr_values asked of the verifier (e.g. the
	// chip rung); default the app verifier's configured values.
	ACR []string `yaml:"acr"`
}

// RiskDetectors tunes the detectors; zero values keep the defaults
// documented in internal/risk/detect.
type RiskDetectors struct {
	// Disabled lists factor kinds whose detector is off, e.g. new-device.
	Disabled []string `yaml:"disabled"`
	// TravelSpeedKMH above which travel between requests is impossible.
	TravelSpeedKMH float64 `yaml:"travel_speed_kmh"`
	// TravelMinKM below which distances are ignored (GeoIP is coarse).
	TravelMinKM float64 `yaml:"travel_min_km"`
	// Window over which farm and concurrent-session signals are counted.
	Window Duration `yaml:"window"`
	// FarmUsersPerDevice distinct users behind one device make a farm.
	FarmUsersPerDevice int `yaml:"farm_users_per_device"`
	// FarmUsersPerAddress distinct users behind one address (or subnet).
	FarmUsersPerAddress int `yaml:"farm_users_per_address"`
	// FarmPrefixV4 groups IPv4 addresses into subnets of this length for
	// the farm-address count (16..32). Default 32: one address.
	FarmPrefixV4 int `yaml:"farm_prefix_v4"`
	// FarmPrefixV6 is the same for IPv6 (32..128). Default 64, which a
	// household usually gets.
	FarmPrefixV6 int `yaml:"farm_prefix_v6"`
	// Severity overrides a factor kind's points (by kind name).
	Severity map[string]int `yaml:"severity"`
	// Lifetime overrides how long a factor kind counts (by kind name).
	Lifetime map[string]Duration `yaml:"lifetime"`
}

// Risk action names.
const (
	RiskAllow        = "allow"
	RiskActionStepUp = "step_up"
	RiskDeny         = "deny"
	RiskRevoke       = "revoke"
)

// RiskFactorKinds are the detector kinds configuration may name.
var RiskFactorKinds = []string{"impossible-travel", "concurrent-distant", "new-device", "new-country",
	"hosting-network", "farm-device", "farm-address", "locale-mismatch", "duplicate-face", "verification-failures"}

func (c *Config) riskDefaults() {
	r := &c.Risk
	if r.Thresholds.Medium == 0 {
		r.Thresholds.Medium = 40
	}
	if r.Thresholds.High == 0 {
		r.Thresholds.High = 70
	}
	if r.Actions.Medium == "" {
		r.Actions.Medium = RiskActionStepUp
	}
	if r.Actions.High == "" {
		r.Actions.High = RiskRevoke
	}
	if r.StepUp.MaxAge == 0 {
		r.StepUp.MaxAge = Duration(5 * time.Minute)
	}
	if r.DeviceCookie == "" {
		r.DeviceCookie = "vigil_device"
	}
}

func (c *Config) validateRisk(p *problems) {
	r := c.Risk
	t := r.Thresholds
	if t.Medium < 1 || t.High > 100 || t.Medium >= t.High {
		p.add("risk.thresholds", "want 1 <= medium < high <= 100, got medium %d, high %d", t.Medium, t.High)
	}
	validateRiskActions(p, "risk.actions", r.Actions)
	if r.StepUp.MaxAge.D() < 0 {
		p.add("risk.step_up.max_age", "must not be negative")
	}
	for i, v := range r.StepUp.ACR {
		if v == "" || strings.ContainsAny(v, " \"\\") {
			p.add(fmt.Sprintf("risk.step_up.acr[%d]", i), "want a non-empty value without spaces, quotes or backslashes, got %q", v)
		}
	}
	for name := range r.Networks {
		if !nameRE.MatchString(name) {
			p.add("risk.networks", "list name %q: want lower-case letters, digits and dashes", name)
		}
	}
	for i, s := range r.SharedNetworks {
		if _, err := parsePrefix(s); err != nil {
			p.add(fmt.Sprintf("risk.shared_networks[%d]", i), "%v", err)
		}
	}
	if !cookieRE.MatchString(r.DeviceCookie) || r.DeviceCookie == c.Session.CookieName {
		p.add("risk.device_cookie", "want a cookie name of letters, digits, _ . - other than the session cookie's, got %q", r.DeviceCookie)
	}
	d := r.Detectors
	for i, k := range d.Disabled {
		if !slices.Contains(RiskFactorKinds, k) {
			p.add(fmt.Sprintf("risk.detectors.disabled[%d]", i), "unknown kind %q: want one of %s", k, strings.Join(RiskFactorKinds, ", "))
		}
	}
	for k, v := range d.Severity {
		if !slices.Contains(RiskFactorKinds, k) {
			p.add("risk.detectors.severity", "unknown kind %q", k)
		} else if v < 1 || v > 100 {
			p.add("risk.detectors.severity."+k, "want 1..100, got %d", v)
		}
	}
	for k, v := range d.Lifetime {
		if !slices.Contains(RiskFactorKinds, k) {
			p.add("risk.detectors.lifetime", "unknown kind %q", k)
		} else if v.D() <= 0 {
			p.add("risk.detectors.lifetime."+k, "must be positive")
		}
	}
	if d.TravelSpeedKMH < 0 || d.TravelMinKM < 0 || d.Window.D() < 0 || d.FarmUsersPerDevice < 0 || d.FarmUsersPerAddress < 0 ||
		d.FarmUsersPerDevice == 1 || d.FarmUsersPerAddress == 1 || d.FarmUsersPerDevice > 256 || d.FarmUsersPerAddress > 256 {
		p.add("risk.detectors", "speeds, distances and windows must not be negative; farm counts must be 2..256")
	}
	if d.FarmPrefixV4 != 0 && (d.FarmPrefixV4 < 16 || d.FarmPrefixV4 > 32) {
		p.add("risk.detectors.farm_prefix_v4", "want 16..32, got %d", d.FarmPrefixV4)
	}
	if d.FarmPrefixV6 != 0 && (d.FarmPrefixV6 < 32 || d.FarmPrefixV6 > 128) {
		p.add("risk.detectors.farm_prefix_v6", "want 32..128, got %d", d.FarmPrefixV6)
	}
	for i, a := range c.Apps {
		if a.Risk != nil {
			validateRiskActions(p, fmt.Sprintf("apps[%d].risk", i), *a.Risk)
		}
	}
}

func validateRiskActions(p *problems, path string, a RiskActions) {
	for _, f := range []struct{ name, v string }{{"medium", a.Medium}, {"high", a.High}} {
		switch f.v {
		case "", RiskAllow, RiskActionStepUp, RiskDeny, RiskRevoke:
		default:
			p.add(path+"."+f.name, "want allow, step_up, deny or revoke, got %q", f.v)
		}
	}
}

// SSF configures the Shared Signals Framework: transmitters whose
// security events Vigil receives, and subscribers (apps) Vigil transmits to.
type SSF struct {
	// Transmitters send Vigil events: an IdP, an EDR.
	Transmitters []SSFTransmitter `yaml:"transmitters"`
	// Subscribers may create streams at Vigil's transmitter.
	Subscribers []SSFSubscriber `yaml:"subscribers"`
}

// SSFTransmitter is a source of security events.
type SSFTransmitter struct {
	// Name identifies it in logs and factors. Required.
	Name string `yaml:"name"`
	// Issuer is the iss of its SETs. Required.
	Issuer string `yaml:"issuer"`
	// JWKSURI serves its signing keys. Required.
	JWKSURI string `yaml:"jwks_uri"`
	// Audience its SETs must carry. Default: server.public_url.
	Audience string `yaml:"audience"`
	// Provider is the configured provider whose users its subjects name
	// (iss_sub subjects of this issuer, emails). Default: the provider
	// with the same issuer.
	Provider string `yaml:"provider"`
	// PushToken, if set, must be presented as a bearer token when the
	// transmitter pushes to <public_url>/.vigil/ssf/events.
	PushToken Secret `yaml:"push_token"`
	// PollURL switches to RFC 8936 poll delivery from this endpoint.
	PollURL string `yaml:"poll_url"`
	// PollToken is the bearer token sent with each poll.
	PollToken Secret `yaml:"poll_token"`
	// PollInterval is the pause between polls when the transmitter has
	// nothing more. Default 30s.
	PollInterval Duration `yaml:"poll_interval"`
}

// SSFSubscriber is an app allowed to manage streams at Vigil's transmitter.
type SSFSubscriber struct {
	// Name identifies the subscriber in logs and its streams. Required.
	Name string `yaml:"name"`
	// Audience of its SETs. Default: Name.
	Audience string `yaml:"audience"`
	// Token authorizes its stream management calls (bearer).
	Token Secret `yaml:"token"`
	// PushEndpoints are the URL prefixes its push endpoints may have.
	// Empty: poll delivery only.
	PushEndpoints []string `yaml:"push_endpoints"`
}

func (c *Config) validateSSF(p *problems) {
	names := map[string]bool{}
	for i, t := range c.SSF.Transmitters {
		path := fmt.Sprintf("ssf.transmitters[%d]", i)
		if !nameRE.MatchString(t.Name) || names[t.Name] {
			p.add(path+".name", "want a unique name of lower-case letters, digits and dashes, got %q", t.Name)
		}
		names[t.Name] = true
		if err := checkIssuer(t.Issuer); err != nil {
			p.add(path+".issuer", "%v", err)
		}
		if err := checkIssuer(t.JWKSURI); err != nil {
			p.add(path+".jwks_uri", "%v", err)
		}
		if t.PollURL != "" {
			if err := checkIssuer(t.PollURL); err != nil {
				p.add(path+".poll_url", "%v", err)
			}
		}
		if t.PollInterval.D() < 0 {
			p.add(path+".poll_interval", "must not be negative")
		}
		if t.Provider != "" && !slices.ContainsFunc(c.Providers, func(pr Provider) bool { return pr.Name == t.Provider }) {
			p.add(path+".provider", "unknown provider %q", t.Provider)
		}
	}
	if len(c.SSF.Subscribers) > 0 {
		if u, err := url.Parse(c.Server.PublicURL); err == nil && u.Scheme != "https" && !isLoopback(u.Hostname()) {
			p.add("ssf.subscribers", "Vigil's transmitter issues its events as server.public_url, which must then be https (http only on loopback)")
		}
	}
	names = map[string]bool{}
	for i, s := range c.SSF.Subscribers {
		path := fmt.Sprintf("ssf.subscribers[%d]", i)
		if !nameRE.MatchString(s.Name) || names[s.Name] {
			p.add(path+".name", "want a unique name of lower-case letters, digits and dashes, got %q", s.Name)
		}
		names[s.Name] = true
		checkToken(p, path+".token", s.Token, true, "the bearer token the subscriber manages its stream with")
		for j, e := range s.PushEndpoints {
			u, err := url.Parse(e)
			if err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) || u.Host == "" {
				p.add(fmt.Sprintf("%s.push_endpoints[%d]", path, j), "want an https URL prefix (http only on loopback), got %q", e)
			}
		}
	}
}

// minTokenLen is the shortest bearer token accepted (the admin API and
// the Shared Signals transmitter refuse shorter ones).
const minTokenLen = 16

// checkToken reports a missing (when required), unreadable or short token.
func checkToken(p *problems, path string, t Secret, required bool, what string) {
	if t.IsZero() {
		if required {
			p.add(path, "required: %s", what)
		}
		return
	}
	v, err := t.Resolve()
	switch {
	case err != nil:
		p.add(path, "%v", err)
	case len(v) < minTokenLen:
		p.add(path, "is %d bytes; at least %d are required (try: openssl rand -base64 32)", len(v), minTokenLen)
	}
}
