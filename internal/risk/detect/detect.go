// Package detect turns what requests show (address, device, browser
// locale) and what verifications report (failures, a face seen twice) into
// risk factors for the risk engine. It holds a bounded, in-memory picture
// of recent activity per user, device and address; it reads no clock
// (observations carry their time), does no I/O of its own and logs nothing.
//
// What it remembers is lost on restart and when a table is full (least
// recently seen first). Losing it errs towards silence, never towards
// false findings: a user whose history is forgotten starts a new baseline
// (their next device or country is not "new"), and a farm or travel
// finding needs the observations that make it up within one window.
//
// It must never decide access itself: it raises factors with readable
// reasons, and the engine and policy decide what they mean.
package detect

import (
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/store"
)

// Location is where an address is, as a GeoIP database says.
type Location struct {
	Country  string // ISO 3166-1 alpha-2, "" unknown
	City     string
	Lat, Lon float64 // degrees; 0, 0 means unknown
}

// Geo finds an address's location. Implementations must be safe for
// concurrent use and fast (it is called once per observation). Pass a nil
// interface, not a typed nil pointer, when there is no database: the
// location detectors are then off.
type Geo interface {
	Lookup(ip netip.Addr) (Location, bool)
}

// Networks says whether an address is in a listed hosting, datacenter or
// VPN range, and in which list. Same rules as Geo; nil: the detector is off.
type Networks interface {
	Match(ip netip.Addr) (list string, ok bool)
}

// Observation is what one request shows about its user.
type Observation struct {
	At        time.Time
	UserID    string
	SessionID string
	App       string
	IP        netip.Addr
	// Device is the long-lived device cookie's ID ("" unknown). It and
	// Credential are kept in memory but only their fingerprints
	// (truncated SHA-256) appear in factors; IDs over 1024 bytes count
	// as unknown.
	Device string
	// Credential is a WebAuthn credential ID ("" unknown).
	Credential string
	// TimeZone (IANA name) and Language (BCP 47) as the browser reports
	// them; "" unknown.
	TimeZone, Language string
	// DocCountry is the ISO 3166-1 alpha-3 code of the user's verified
	// document ("" none).
	DocCountry string
}

// Detector raises factors from observations. It is safe for concurrent
// use: one lock guards its tables (farm findings span users, so they
// cannot be split by user), and lookups in Geo and Networks run outside it.
type Detector struct {
	c     Config
	geo   Geo
	nets  Networks
	zones zoneCache

	mu      sync.Mutex
	users   *lru[string, *userState]
	devices *lru[deviceKey, *cluster]
	addrs   *lru[netip.Prefix, *cluster]
}

// maxIDLen bounds device and credential IDs (WebAuthn's are at most 1023
// bytes); longer ones are treated as unknown.
const maxIDLen = 1024

// deviceKey names a device identifier of either kind.
type deviceKey struct {
	credential bool // a WebAuthn credential ID, not a device cookie
	id         string
}

// New returns a detector. It fails, naming every problem, when c is invalid.
func New(c Config, geo Geo, nets Networks) (*Detector, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &Detector{
		c: c, geo: geo, nets: nets,
		users:   newLRU[string, *userState](c.MaxTracked),
		devices: newLRU[deviceKey, *cluster](c.MaxTracked),
		addrs:   newLRU[netip.Prefix, *cluster](c.MaxTracked),
	}, nil
}

// on reports whether kind's detector is enabled in the configuration.
func (d *Detector) on(kind string) bool { return !d.c.off[kind] }

// Observe returns the factors one observation raises: for its user, and
// for every other user of a farm it reveals. Factors have no ID (the
// caller assigns one) and carry Kind, Severity, Reason, Evidence, Source
// "detector", At (the observation's time) and ExpiresAt. A finding is
// raised once per user, kind and key (the place pair, the list, the time
// zone...) while its factor lives, not on every request.
func (d *Detector) Observe(o Observation) []store.RiskFactor {
	if o.UserID == "" || o.At.IsZero() {
		return nil
	}
	o.IP = o.IP.Unmap()
	// Identifiers are kept in memory; one absurdly long is no identifier.
	if len(o.Device) > maxIDLen {
		o.Device = ""
	}
	if len(o.Credential) > maxIDLen {
		o.Credential = ""
	}
	var in inputs
	if d.geo != nil && o.IP.IsValid() {
		in.loc, in.located = d.geo.Lookup(o.IP)
		in.coords = in.located && validCoords(in.loc)
	}
	if d.nets != nil && o.IP.IsValid() && d.on(risk.KindHostingNetwork) {
		in.list, in.listed = d.nets.Match(o.IP)
	}
	if o.TimeZone != "" && d.on(risk.KindLocaleMismatch) {
		in.zone = d.zones.load(o.TimeZone)
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	u := d.user(o.UserID)
	var out []store.RiskFactor
	out = d.hosting(out, u, &o, &in)
	out = d.travel(out, u, &o, &in)
	out = d.concurrent(out, u, &o, &in)
	out = d.newCountry(out, u, &o, &in)
	out = d.newDevice(out, u, &o)
	out = d.farmDevice(out, &o)
	out = d.farmAddress(out, &o)
	out = d.locale(out, u, &o, &in)
	return out
}

// inputs are what Observe looked up before taking the lock.
type inputs struct {
	loc             Location
	located, coords bool
	list            string
	listed          bool
	zone            *time.Location
}

// user returns the state of id, creating it.
func (d *Detector) user(id string) *userState {
	if u, ok := d.users.get(id); ok {
		return u
	}
	u := &userState{}
	d.users.put(id, u)
	return u
}

// factor builds a finding of kind for user at at.
func (d *Detector) factor(user, kind string, at time.Time, sev int, reason string, ev map[string]string) store.RiskFactor {
	return store.RiskFactor{UserID: user, Kind: kind, Severity: min(max(sev, 1), risk.MaxScore), Reason: reason,
		Evidence: ev, Source: "detector", At: at, ExpiresAt: at.Add(d.c.lifetime[kind])}
}

// once reports whether user's finding (kind, key) may be raised at at,
// and if so records it until its factor would expire.
func (d *Detector) once(u *userState, kind, key string, at time.Time) bool {
	return u.once(kind, key, at, at.Add(d.c.lifetime[kind]))
}

// Forget lets userID's findings of the given kinds (every kind when nil)
// be raised again, after an administrator's reset or a re-verification
// cleared them: if the evidence still stands, the next observation shows
// it again.
func (d *Detector) Forget(userID string, kinds []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if u, ok := d.users.peek(userID); ok {
		u.forget(kinds)
	}
	// Farm findings are also marked in their clusters. A walk over every
	// cluster, but Forget is rare: an administrator's or a verification's.
	if kinds == nil || slices.Contains(kinds, risk.KindFarmDevice) {
		d.devices.each(func(_ deviceKey, c *cluster) { c.unraise(userID) })
	}
	if kinds == nil || slices.Contains(kinds, risk.KindFarmAddress) {
		d.addrs.each(func(_ netip.Prefix, c *cluster) { c.unraise(userID) })
	}
}

// Tracked reports how many users, device identifiers and address
// prefixes the detector remembers (for metrics and the memory-bound tests).
func (d *Detector) Tracked() (users, devices, addresses int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.users.len(), d.devices.len(), d.addrs.len()
}
