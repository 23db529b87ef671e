package config

import (
	"strings"
	"testing"
	"time"
)

func TestRiskDefaults(t *testing.T) {
	t.Setenv("TEST_VIGIL_CLIENT_SECRET", "x")
	c, err := Parse([]byte(goodYAML))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Risk
	if r.Thresholds != (RiskThresholds{Medium: 40, High: 70}) || r.Actions != (RiskActions{Medium: "step_up", High: "revoke"}) ||
		r.StepUp.MaxAge.D() != 5*time.Minute || r.DeviceCookie != "vigil_device" {
		t.Errorf("risk defaults: %+v", r)
	}
}

func TestRiskAndSSFProblems(t *testing.T) {
	t.Setenv("TEST_VIGIL_CLIENT_SECRET", "x")
	good := strings.Replace(goodYAML, "        require: [{verified: ial2}, {verified_within: 720h}]\n",
		"        require: [{verified: ial2}, {verified_within: 720h}]\n    risk: {medium: deny, high: revoke}\n", 1) + `
risk:
  thresholds: {medium: 30, high: 60}
  step_up: {max_age: 2m, acr: [urn:vigil:idv:chip]}
  networks: {hosting: examples/networks/hosting-sample.txt}
  shared_networks: [198.51.100.0/24]
  detectors: {disabled: [new-device], severity: {farm-device: 80}, lifetime: {farm-device: 2h}, farm_users_per_device: 4}
ssf:
  transmitters:
    - {name: okta, issuer: https://login.example.com, jwks_uri: https://login.example.com/keys, push_token: {value: t}}
  subscribers:
    - {name: wiki, token: {value: wiki-stream-token-0123456789}, push_endpoints: [https://wiki.example.com/ssf]}
`
	c, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if c.Apps[0].Risk == nil || c.Apps[0].Risk.Medium != "deny" || c.Risk.Thresholds.High != 60 {
		t.Errorf("parsed: app risk %+v, thresholds %+v", c.Apps[0].Risk, c.Risk.Thresholds)
	}
	bad := strings.Replace(goodYAML, "        require: [{verified: ial2}, {verified_within: 720h}]\n",
		"        require: [{verified: ial2}, {verified_within: 720h}]\n    risk: {medium: shrug}\n", 1) + `
risk:
  thresholds: {medium: 80, high: 60}
  actions: {high: explode}
  step_up: {acr: ["a b"]}
  networks: {"Bad Name": x}
  shared_networks: [not-a-prefix]
  device_cookie: vigil_session
  detectors: {disabled: [telepathy], severity: {farm-device: 0}, farm_users_per_device: 1, farm_users_per_address: 1000, farm_prefix_v4: 4}
ssf:
  transmitters:
    - {name: okta, issuer: http://idp.example.com, jwks_uri: "", provider: nope}
  subscribers:
    - {name: wiki, push_endpoints: [http://wiki.example.com/ssf]}
    - {name: hr, token: {value: short}}
admin:
  token: {value: tiny}
`
	_, err = Parse([]byte(bad))
	for _, want := range []string{"apps[0].risk.medium", "risk.thresholds", "risk.actions.high", "risk.step_up.acr[0]", "risk.networks",
		"risk.shared_networks[0]", "risk.device_cookie", "risk.detectors.disabled[0]", "risk.detectors.severity.farm-device", "risk.detectors",
		"ssf.transmitters[0].issuer", "ssf.transmitters[0].jwks_uri", "ssf.transmitters[0].provider", "ssf.subscribers[0].token",
		"ssf.subscribers[0].push_endpoints[0]", "ssf.subscribers[1].token", "admin.token", "risk.detectors", "risk.detectors.farm_prefix_v4"} {
		if err == nil || !strings.Contains(err.Error(), want+":") {
			t.Errorf("missing problem %s in:\n%v", want, err)
		}
	}
}
