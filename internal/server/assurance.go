package server

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/assurance"
	"github.com/vigil-gw/vigil/internal/changes"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/gateway"
	"github.com/vigil-gw/vigil/internal/geoip"
	"github.com/vigil-gw/vigil/internal/keys"
	"github.com/vigil-gw/vigil/internal/netlist"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/risk/detect"
	"github.com/vigil-gw/vigil/internal/ssf/set"
)

// purposeSETSigning derives the key Vigil's transmitter signs SETs with:
// every replica sharing the session secret signs with the same key.
const purposeSETSigning = "vigil ssf set signing v1"

// newAssurance builds continuous assurance: the risk engine, the
// detectors with their data (GeoIP, network lists), the service, and the
// change-feed follower that keeps this replica in step with the others.
func (s *Server) newAssurance(ctx context.Context, cfg *config.Config) error {
	rc := cfg.Risk
	s.engine = risk.NewEngine(risk.Thresholds{Medium: rc.Thresholds.Medium, High: rc.Thresholds.High})
	log := s.log.With(slog.String("part", "risk"))
	var det *detect.Detector
	if !rc.Disabled {
		var geo detect.Geo
		if len(rc.GeoIP) > 0 {
			db, err := geoip.Open(rc.GeoIP...)
			if err != nil {
				return fmt.Errorf("risk.geoip: %w", err)
			}
			s.geo = db
			geo = geoAdapter{db}
			for _, fi := range db.Info() {
				log.Info("GeoIP database loaded", "file", fi.String())
			}
		}
		var nets detect.Networks
		if len(rc.Networks) > 0 {
			set, err := netlist.LoadSet(rc.Networks)
			if err != nil {
				return fmt.Errorf("risk.networks: %w", err)
			}
			nets = set
		}
		dc, err := detectConfig(rc)
		if err != nil {
			return err
		}
		if det, err = detect.New(dc, geo, nets); err != nil {
			return fmt.Errorf("risk.detectors: %w", err)
		}
		for _, line := range det.Status() {
			log.Info("risk detector", "status", line)
		}
	} else {
		log.Info("risk detectors and actions are disabled (risk.disabled)")
	}
	var err error
	s.assure, err = assurance.New(assurance.Options{
		Store: s.db, Sessions: s.sessions, Engine: s.engine, Detector: det, Emitter: s.emitter,
		Audit: s.audit, Clock: s.opts.Clock, Rand: s.opts.Rand, Logger: log,
		OnObserved: s.metrics.RiskObservation,
		Known:      s.knownName,
		Policy:     s.runningPolicy, Subscribers: subscribers(cfg),
	})
	if err != nil {
		return err
	}
	if err := s.assure.Load(ctx); err != nil {
		return err
	}
	waiter, err := s.newWaker(ctx)
	if err != nil {
		return fmt.Errorf("change feed: %w", err)
	}
	s.waiter = waiter
	s.follower, err = changes.New(changes.Options{Source: s.db, Waker: waiter, Clock: s.opts.Clock,
		Logger: s.log.With(slog.String("part", "changes"))})
	if err != nil {
		return err
	}
	s.registerReplicaMetrics()
	s.follower.Subscribe(s.assure.Apply)
	if s.transmitter != nil {
		// A SET queued on any replica wakes the one that pushes.
		s.follower.Subscribe(s.transmitter.Apply)
	}
	// Changes may have been missed (the feed was purged while this replica
	// was away): forget every cached session and reload risk and app
	// revocations from the store.
	// A reload that fails is retried by the follower, which stays behind
	// meanwhile (store.max_stale then refuses sessions): an app revocation
	// missed in the gap must not be forgotten.
	s.follower.OnResync(func() error {
		s.sessions.Resync()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.assure.Load(ctx); err != nil {
			s.log.Error("reloading risk after a resync failed; retrying", "err", err)
			return err
		}
		return nil
	})
	return nil
}

// detectConfig turns risk configuration into the detectors'.
func detectConfig(rc config.Risk) (detect.Config, error) {
	d := rc.Detectors
	c := detect.Config{
		TravelSpeedKMH: d.TravelSpeedKMH, TravelMinKM: d.TravelMinKM, Window: d.Window.D(),
		FarmUsersPerDevice: d.FarmUsersPerDevice, FarmUsersPerAddress: d.FarmUsersPerAddress,
		FarmPrefixV4: d.FarmPrefixV4, FarmPrefixV6: d.FarmPrefixV6,
		Severity: d.Severity, Disabled: d.Disabled,
	}
	if len(d.Lifetime) > 0 {
		c.Lifetime = map[string]time.Duration{}
		for k, v := range d.Lifetime {
			c.Lifetime[k] = v.D()
		}
	}
	for _, p := range rc.SharedNetworks {
		pre, err := config.ParsePrefix(p)
		if err != nil {
			return c, fmt.Errorf("risk.shared_networks: %w", err)
		}
		c.SharedNetworks = append(c.SharedNetworks, pre)
	}
	return c, nil
}

// geoAdapter gives the detectors GeoIP answers in their own terms.
type geoAdapter struct{ db *geoip.DB }

func (g geoAdapter) Lookup(ip netip.Addr) (detect.Location, bool) {
	l, ok := g.db.Lookup(ip)
	if !ok {
		return detect.Location{}, false
	}
	return detect.Location{Country: l.Country, City: l.City, Lat: l.Lat, Lon: l.Lon}, true
}

// routeRisk is an app's risk actions: its own, else the configured
// default; with risk disabled every level goes on to the policy.
func routeRisk(cfg *config.Config, a *config.App) gateway.RiskActions {
	r := gateway.RiskActions{Medium: cfg.Risk.Actions.Medium, High: cfg.Risk.Actions.High,
		StepUpMaxAge: cfg.Risk.StepUp.MaxAge.D(), StepUpACR: cfg.Risk.StepUp.ACR}
	if a.Risk != nil {
		if a.Risk.Medium != "" {
			r.Medium = a.Risk.Medium
		}
		if a.Risk.High != "" {
			r.High = a.Risk.High
		}
	}
	if cfg.Risk.Disabled {
		r.Off, r.Medium, r.High = true, config.RiskAllow, config.RiskAllow
	}
	return r
}

// setSigner derives the transmitter's ES256 key from the master secret.
func setSigner(master []byte) (*set.Signer, *jose.JSONWebKeySet, error) {
	seed, err := keys.Derive(master, purposeSETSigning)
	if err != nil {
		return nil, nil, err
	}
	// A derived scalar is out of range with probability ~2^-32; derive
	// again from it rather than fail.
	var k *ecdsa.PrivateKey
	for i := 0; i < 4 && k == nil; i++ {
		k, err = ecdsa.ParseRawPrivateKey(elliptic.P256(), seed)
		if err != nil {
			if seed, err = keys.Derive(append(seed, seed...), purposeSETSigning); err != nil {
				return nil, nil, err
			}
		}
	}
	if k == nil {
		return nil, nil, errors.New("ssf: could not derive a signing key")
	}
	pub := jose.JSONWebKey{Key: &k.PublicKey, Algorithm: string(jose.ES256), Use: "sig"}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, nil, err
	}
	pub.KeyID = "ssf-" + strings.ToLower(fmt.Sprintf("%x", tp[:8]))
	sg, err := set.NewSigner(k, pub.KeyID, jose.ES256)
	if err != nil {
		return nil, nil, err
	}
	return sg, &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}}, nil
}

// changeRetention is how long the change feed keeps entries.
const changeRetention = 24 * time.Hour

// riskFixed is the part of risk configuration that needs a restart: the
// detectors and their data are built once.
func riskFixed(r *config.Risk) string {
	return fmt.Sprintf("%v|%q|%v|%v|%v|%s", r.Disabled, r.GeoIP, r.Networks, r.SharedNetworks, r.Detectors, r.DeviceCookie)
}

// knownName reports whether the running configuration has an app or a
// provider of that name.
func (s *Server) knownName(scope, name string) bool {
	st := s.state.Load()
	if st == nil {
		return false
	}
	switch scope {
	case "app":
		return st.apps[name] != nil
	case "provider":
		for _, p := range st.cfg.Providers {
			if p.Name == name {
				return true
			}
		}
	}
	return false
}
