package main

import (
	"testing"
	"time"
)

// TestEnvEndToEnd starts every target, signs in to both gateways over real
// OIDC and loads each briefly: all answers must be the upstream's page,
// and without the session cookie both gateways must refuse.
func TestEnvEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Vigil, the demo IdP and oauth2-proxy")
	}
	e, err := startEnv(t.Context(), options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.stop()
	for _, tg := range e.targets() {
		r := load(tg.spec, 4, 200*time.Millisecond)
		if r.n == 0 || r.errors != 0 {
			t.Errorf("%s: %d requests, %d failed (last: %v)", tg.short, r.n, r.errors, r.lastErr)
		}
	}
	for _, tg := range []*target{e.vigil, e.o2p} {
		anon := tg.spec
		anon.cookie = ""
		if r := load(anon, 1, 50*time.Millisecond); r.n != 0 || r.errors == 0 {
			t.Errorf("%s without a session: %d requests passed", tg.short, r.n)
		}
	}
	if err := e.o2pProc.alive(); err != nil {
		t.Fatal(err)
	}
	e.stop()
	select {
	case <-e.o2pProc.done:
	default:
		t.Error("oauth2-proxy still running after stop")
	}
}
