package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/store"
)

// fingerprint names a device identifier in factors without giving it
// away: whoever reads the audit log must not be able to replay a device
// cookie. 64 bits tell devices apart in one organisation.
func fingerprint(id string) string {
	h := sha256.Sum256([]byte(id))
	return "sha256:" + hex.EncodeToString(h[:8])
}

// farmDevice counts the users behind the observation's device cookie and
// WebAuthn credential. Many accounts on one device is what a laptop farm
// looks like from the inside: one operator, one machine, many identities.
func (d *Detector) farmDevice(out []store.RiskFactor, o *Observation) []store.RiskFactor {
	const kind = risk.KindFarmDevice
	if !d.on(kind) {
		return out
	}
	for _, k := range []deviceKey{{id: o.Device}, {credential: true, id: o.Credential}} {
		if k.id == "" {
			continue
		}
		c, ok := d.devices.get(k)
		if !ok {
			c = &cluster{}
			d.devices.put(k, c)
		}
		if c.join(o.UserID, o.At, d.c.Window) < d.c.FarmUsersPerDevice {
			continue
		}
		what, name := "browser", "device"
		if k.credential {
			what, name = "security key or passkey", "credential"
		}
		out = d.farm(out, kind, c, o.At, fmt.Sprintf("one %s used by %%d accounts within %s", what, windowText(d.c.Window)),
			map[string]string{name: fingerprint(k.id)})
	}
	return out
}

// farmAddress counts the users behind the observation's address prefix.
// Addresses that are not public (loopback, private, link-local) are left
// out: they mean a proxy or a NAT in front of Vigil, not a household; so
// are the configured shared networks.
func (d *Detector) farmAddress(out []store.RiskFactor, o *Observation) []store.RiskFactor {
	const kind = risk.KindFarmAddress
	ip := o.IP
	if !d.on(kind) || !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() {
		return out
	}
	if slices.ContainsFunc(d.c.SharedNetworks, func(p netip.Prefix) bool { return p.Contains(ip) }) {
		return out
	}
	bits := d.c.FarmPrefixV4
	if ip.Is6() {
		bits = d.c.FarmPrefixV6
	}
	p, err := ip.Prefix(bits)
	if err != nil {
		return out // cannot happen: bits are validated against both families
	}
	c, ok := d.addrs.get(p)
	if !ok {
		c = &cluster{}
		d.addrs.put(p, c)
	}
	if c.join(o.UserID, o.At, d.c.Window) < d.c.FarmUsersPerAddress {
		return out
	}
	where := "address " + ip.String()
	if p.Bits() < ip.BitLen() {
		where = "network " + p.String()
	}
	return d.farm(out, kind, c, o.At, fmt.Sprintf("%s used by %%d accounts within %s", where, windowText(d.c.Window)),
		map[string]string{"prefix": p.String()})
}

// farm raises kind for every user of the cluster who does not have it yet,
// the earlier ones included: each of them is part of the same finding.
// format takes the cluster's size. The reason names no other account (it
// may be shown to the user); the evidence, for administrators, does.
func (d *Detector) farm(out []store.RiskFactor, kind string, c *cluster, at time.Time, format string,
	ev map[string]string) []store.RiskFactor {
	if !slices.ContainsFunc(c.members, func(m member) bool { return !at.Before(m.raised) }) {
		return out // everyone has it: the common case for a standing farm
	}
	users := make([]string, len(c.members))
	for i, m := range c.members {
		users[i] = m.user
	}
	slices.Sort(users)
	ev["accounts"] = strconv.Itoa(len(users))
	ev["users"] = joinMax(users, 20)
	ev["window"] = windowText(d.c.Window)
	reason := fmt.Sprintf(format, len(users))
	raised := make([]string, 0, len(users))
	for i := range c.members {
		m := &c.members[i]
		if at.Before(m.raised) {
			continue
		}
		m.raised = at.Add(d.c.lifetime[kind])
		if d.once(d.user(m.user), kind, "", at) {
			raised = append(raised, m.user)
		}
	}
	slices.Sort(raised) // in a stable order, for the audit log and tests
	for _, user := range raised {
		out = append(out, d.factor(user, kind, at, d.c.severity[kind], reason, maps.Clone(ev)))
	}
	return out
}

// joinMax joins at most n of ss, saying how many it left out.
func joinMax(ss []string, n int) string {
	if len(ss) <= n {
		return strings.Join(ss, ", ")
	}
	return strings.Join(ss[:n], ", ") + fmt.Sprintf(" and %d more", len(ss)-n)
}

// windowText writes a window as "1 h" or "30 min".
func windowText(w time.Duration) string {
	if w >= time.Hour && w%time.Hour == 0 {
		return fmt.Sprintf("%d h", w/time.Hour)
	}
	return durationText(w)
}
