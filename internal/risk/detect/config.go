package detect

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/netip"
	"slices"
	"time"

	"github.com/vigil-gw/vigil/internal/risk"
)

// Config tunes the detectors. Zero values take the defaults given with
// each field; every detector can be turned off through Disabled.
type Config struct {
	// TravelSpeedKMH is the speed above which travel between two requests
	// is impossible. Default 1000 (a little faster than an airliner).
	TravelSpeedKMH float64
	// TravelMinKM is the distance below which movement is ignored, by
	// impossible travel and concurrent sessions alike: GeoIP puts an
	// address within tens to hundreds of kilometres. Default 500.
	TravelMinKM float64
	// Window is how long a device, an address or a session counts as
	// active for the farm and concurrent-session detectors. Default 1h.
	Window time.Duration
	// FarmUsersPerDevice distinct users behind one device cookie or
	// WebAuthn credential within Window make a farm. Default 3, at most 256.
	FarmUsersPerDevice int
	// FarmUsersPerAddress distinct users behind one address prefix within
	// Window make a farm. Default 5, at most 256.
	FarmUsersPerAddress int
	// FarmPrefixV4 and FarmPrefixV6 are the prefix lengths an address is
	// grouped by: default 32 (one IPv4 address) and 64 (one IPv6 subnet,
	// what a household gets). At least 16 and 32.
	FarmPrefixV4, FarmPrefixV6 int
	// SharedNetworks are ranges many honest users share (an office NAT, a
	// corporate VPN): never counted as a farm address.
	SharedNetworks []netip.Prefix
	// FailureCount failed verifications within FailureWindow raise
	// verification-failures. Default 3 (at most 16) within 24h.
	FailureCount  int
	FailureWindow time.Duration
	// MaxTracked bounds each table (users, device identifiers, address
	// prefixes); the least recently seen entry goes first. Default 100000.
	MaxTracked int
	// Severity and Lifetime override a kind's points (1..100) and how long
	// its factor lives. Defaults: impossible-travel 50, concurrent-distant
	// 40, new-device 10, new-country 15, hosting-network 25, farm-device
	// 60, farm-address 45, locale-mismatch 20, duplicate-face 70,
	// verification-failures 40; 1h for new-device, new-country and
	// hosting-network, 30 days for duplicate-face (only an administrator's
	// reset ends it sooner), 24h for the rest. The locale-mismatch severity is
	// the weight of a time zone far from the address; one that does not
	// fit the document's country adds half of it, a language that fits
	// neither a quarter.
	Severity map[string]int
	Lifetime map[string]time.Duration
	// Disabled lists kinds whose detector is off.
	Disabled []string

	off      map[string]bool // from Disabled
	severity map[string]int  // defaults and overrides
	lifetime map[string]time.Duration
}

var (
	defaultSeverity = map[string]int{
		risk.KindImpossibleTravel: 50, risk.KindConcurrentDistant: 40, risk.KindNewDevice: 10,
		risk.KindNewCountry: 15, risk.KindHostingNetwork: 25, risk.KindFarmDevice: 60,
		risk.KindFarmAddress: 45, risk.KindLocaleMismatch: 20, risk.KindDuplicateFace: 70,
		risk.KindVerificationFailures: 40,
	}
	defaultLifetime = map[string]time.Duration{
		risk.KindImpossibleTravel: 24 * time.Hour, risk.KindConcurrentDistant: 24 * time.Hour,
		risk.KindNewDevice: time.Hour, risk.KindNewCountry: time.Hour, risk.KindHostingNetwork: time.Hour,
		risk.KindFarmDevice: 24 * time.Hour, risk.KindFarmAddress: 24 * time.Hour,
		risk.KindLocaleMismatch: 24 * time.Hour, risk.KindDuplicateFace: 30 * 24 * time.Hour,
		risk.KindVerificationFailures: 24 * time.Hour,
	}
)

// maxCluster bounds the users remembered behind one device or address.
const maxCluster = 256

func (c Config) withDefaults() Config {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.TravelSpeedKMH, 1000)
	def(&c.TravelMinKM, 500)
	for _, f := range []struct {
		v *int
		d int
	}{{&c.FarmUsersPerDevice, 3}, {&c.FarmUsersPerAddress, 5}, {&c.FarmPrefixV4, 32}, {&c.FarmPrefixV6, 64},
		{&c.FailureCount, 3}, {&c.MaxTracked, 100_000}} {
		if *f.v == 0 {
			*f.v = f.d
		}
	}
	if c.Window == 0 {
		c.Window = time.Hour
	}
	if c.FailureWindow == 0 {
		c.FailureWindow = 24 * time.Hour
	}
	c.off = map[string]bool{}
	for _, k := range c.Disabled {
		c.off[k] = true
	}
	c.severity, c.lifetime = map[string]int{}, map[string]time.Duration{}
	maps.Copy(c.severity, defaultSeverity)
	maps.Copy(c.severity, c.Severity)
	maps.Copy(c.lifetime, defaultLifetime)
	maps.Copy(c.lifetime, c.Lifetime)
	return c
}

// validate reports every problem at once.
func (c Config) validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("detect: "+format, a...)) }
	if !finite(c.TravelSpeedKMH) || !finite(c.TravelMinKM) || c.TravelSpeedKMH < 0 || c.TravelMinKM < 0 {
		bad("travel speed and distance must be positive numbers")
	}
	if c.Window < 0 || c.FailureWindow < 0 {
		bad("windows must not be negative")
	}
	if c.FarmUsersPerDevice < 2 || c.FarmUsersPerDevice > maxCluster ||
		c.FarmUsersPerAddress < 2 || c.FarmUsersPerAddress > maxCluster {
		bad("farm user counts must be 2..%d, got %d per device and %d per address",
			maxCluster, c.FarmUsersPerDevice, c.FarmUsersPerAddress)
	}
	if c.FarmPrefixV4 < 16 || c.FarmPrefixV4 > 32 || c.FarmPrefixV6 < 32 || c.FarmPrefixV6 > 128 {
		bad("farm prefixes must be 16..32 (IPv4) and 32..128 (IPv6), got /%d and /%d", c.FarmPrefixV4, c.FarmPrefixV6)
	}
	if c.FailureCount < 1 || c.FailureCount > maxFailures {
		bad("failure count must be 1..%d, got %d", maxFailures, c.FailureCount)
	}
	if c.MaxTracked < 1 {
		bad("table size must be positive, got %d", c.MaxTracked)
	}
	for i, p := range c.SharedNetworks {
		if !p.IsValid() {
			bad("shared network %d is not a valid prefix", i)
		}
	}
	for _, k := range c.Disabled {
		if !risk.IsDetectorKind(k) {
			bad("cannot disable unknown kind %q", k)
		}
	}
	for _, k := range sortedKeys(c.Severity) {
		if v := c.Severity[k]; !risk.IsDetectorKind(k) {
			bad("severity of unknown kind %q", k)
		} else if v < 1 || v > risk.MaxScore {
			bad("severity of %s must be 1..%d, got %d", k, risk.MaxScore, v)
		}
	}
	for _, k := range sortedKeys(c.Lifetime) {
		if v := c.Lifetime[k]; !risk.IsDetectorKind(k) {
			bad("lifetime of unknown kind %q", k)
		} else if v <= 0 {
			bad("lifetime of %s must be positive, got %v", k, v)
		}
	}
	return errors.Join(errs...)
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Status says, one line per detector, whether it is on and why not, for
// the start-up log and the admin console.
func (d *Detector) Status() []string {
	c := d.c
	noGeo, noNets := "off (no GeoIP database)", "off (no network lists)"
	line := func(kind, label, need, on string) string {
		switch {
		case c.off[kind]:
			return label + ": off (disabled in config)"
		case need != "":
			return label + ": " + need
		}
		return label + ": on (" + on + ")"
	}
	geo := ""
	if d.geo == nil {
		geo = noGeo
	}
	nets := ""
	if d.nets == nil {
		nets = noNets
	}
	// The time zone arrives only when a Vigil page reports it, the
	// document's country only when the caller passes one.
	locale := "browser time zone, when a Vigil page reports it, against the document's country when known"
	if d.geo != nil {
		locale = "browser time zone, when a Vigil page reports it, against the address's location (and the document's country when known); language as support"
	}
	return []string{
		line(risk.KindImpossibleTravel, "impossible travel", geo,
			fmt.Sprintf("faster than %g km/h over at least %g km", c.TravelSpeedKMH, c.TravelMinKM)),
		line(risk.KindConcurrentDistant, "concurrent distant sessions", geo,
			fmt.Sprintf("sessions at least %g km apart within %s", c.TravelMinKM, windowText(c.Window))),
		line(risk.KindNewDevice, "new device", "", "a device cookie the user has not used before"),
		line(risk.KindNewCountry, "new country", geo, "a country the user has not been seen in before"),
		line(risk.KindHostingNetwork, "hosting network", nets, "addresses in the configured lists"),
		line(risk.KindFarmDevice, "farm device", "",
			fmt.Sprintf("%d users behind one device within %s", c.FarmUsersPerDevice, windowText(c.Window))),
		line(risk.KindFarmAddress, "farm address", "",
			fmt.Sprintf("%d users behind one /%d or /%d within %s, %d shared networks excluded",
				c.FarmUsersPerAddress, c.FarmPrefixV4, c.FarmPrefixV6, windowText(c.Window), len(c.SharedNetworks))),
		line(risk.KindLocaleMismatch, "locale mismatch", "", locale),
		line(risk.KindDuplicateFace, "duplicate face", "", "when the built-in verifier finds one face verified for two accounts (both get it)"),
		line(risk.KindVerificationFailures, "verification failures", "",
			fmt.Sprintf("%d failures within %s", c.FailureCount, windowText(c.FailureWindow))),
	}
}
