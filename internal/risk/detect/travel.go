package detect

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/store"
)

// earthRadiusKM is the mean radius (IUGG).
const earthRadiusKM = 6371.0088

// distanceKM is the great-circle distance between a and b (haversine).
func distanceKM(a, b Location) float64 {
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKM * math.Asin(math.Sqrt(min(1, h)))
}

// validCoords rejects what no GeoIP database means as a place: numbers out
// of range, and 0, 0, which some write for "unknown".
func validCoords(l Location) bool {
	return finite(l.Lat) && finite(l.Lon) && l.Lat >= -90 && l.Lat <= 90 && l.Lon >= -180 && l.Lon <= 180 &&
		(l.Lat != 0 || l.Lon != 0)
}

// placeName names a location for people: "Berlin (DE)", "DE", or
// "an unknown place".
func placeName(l Location) string {
	switch {
	case l.City != "" && l.Country != "":
		return l.City + " (" + l.Country + ")"
	case l.City != "":
		return l.City
	case l.Country != "":
		return l.Country
	}
	return "an unknown place"
}

// pairKey names two places in either order, so that going back and forth
// between them is one finding.
func pairKey(a, b Location) string {
	x, y := placeName(a)+fmt.Sprintf("@%.1f,%.1f", a.Lat, a.Lon), placeName(b)+fmt.Sprintf("@%.1f,%.1f", b.Lat, b.Lon)
	if y < x {
		x, y = y, x
	}
	return x + "|" + y
}

// kmText writes a distance as people read it: "16,100 km" (to 100 km
// above 1000, to 10 km below).
func kmText(km float64) string {
	step := 10.0
	if km >= 1000 {
		step = 100
	}
	n := int64(math.Round(km/step) * step)
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s + " km"
}

// durationText writes "40 min", "5 h 10 min" or "no time".
func durationText(d time.Duration) string {
	m := int64(d.Round(time.Minute) / time.Minute)
	switch {
	case d < 30*time.Second:
		return "no time"
	case m < 120:
		return fmt.Sprintf("%d min", m)
	case m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	}
	return fmt.Sprintf("%d h %d min", m/60, m%60)
}

func (d *Detector) hosting(out []store.RiskFactor, u *userState, o *Observation, in *inputs) []store.RiskFactor {
	const kind = risk.KindHostingNetwork
	if !in.listed || !d.once(u, kind, in.list, o.At) {
		return out
	}
	return append(out, d.factor(o.UserID, kind, o.At, d.c.severity[kind],
		fmt.Sprintf("request from %s, listed as %q (hosting, datacenter or VPN)", o.IP, in.list),
		map[string]string{"ip": o.IP.String(), "list": in.list}))
}

// travel compares the observation with the user's previous located one.
func (d *Detector) travel(out []store.RiskFactor, u *userState, o *Observation, in *inputs) []store.RiskFactor {
	if !in.coords {
		return out
	}
	prev := u.last
	if !prev.ok || o.At.After(prev.at) {
		u.last = sighting{ok: true, at: o.At, loc: in.loc}
	}
	const kind = risk.KindImpossibleTravel
	if !prev.ok || !d.on(kind) {
		return out
	}
	km := distanceKM(prev.loc, in.loc)
	if km < d.c.TravelMinKM {
		return out
	}
	dt := o.At.Sub(prev.at).Abs()
	speed := math.Inf(1)
	if dt > 0 {
		speed = km / dt.Hours()
	}
	if speed <= d.c.TravelSpeedKMH || !d.once(u, kind, pairKey(prev.loc, in.loc), o.At) {
		return out
	}
	from, to := prev.loc, in.loc
	if o.At.Before(prev.at) { // arrived out of order: say it in time order
		from, to = to, from
	}
	ev := map[string]string{"from": placeName(from), "to": placeName(to), "km": strconv.Itoa(int(km)),
		"minutes": strconv.Itoa(int(dt.Minutes())), "ip": o.IP.String()}
	if !math.IsInf(speed, 1) {
		ev["kmh"] = strconv.Itoa(int(speed))
	}
	return append(out, d.factor(o.UserID, kind, o.At, d.c.severity[kind],
		fmt.Sprintf("%s to %s, %s in %s", placeName(from), placeName(to), kmText(km), durationText(dt)), ev))
}

// concurrent looks for another of the user's sessions active far away
// since this one began: both in use at once, not one after the other.
func (d *Detector) concurrent(out []store.RiskFactor, u *userState, o *Observation, in *inputs) []store.RiskFactor {
	if o.SessionID == "" || !in.coords {
		return out
	}
	from := o.At.Add(-d.c.Window)
	u.sessions = slices.DeleteFunc(u.sessions, func(s sessionAt) bool { return s.last.Before(from) })
	i := slices.IndexFunc(u.sessions, func(s sessionAt) bool { return s.id == o.SessionID })
	if i < 0 {
		if len(u.sessions) >= maxSessions {
			u.sessions = slices.Delete(u.sessions, 0, 1) // least recently added
		}
		u.sessions = append(u.sessions, sessionAt{id: o.SessionID, loc: in.loc, first: o.At, last: o.At})
		i = len(u.sessions) - 1
	}
	cur := &u.sessions[i]
	if o.At.After(cur.last) {
		cur.last, cur.loc = o.At, in.loc
	}
	const kind = risk.KindConcurrentDistant
	if !d.on(kind) {
		return out
	}
	for _, s := range u.sessions {
		if s.id == o.SessionID || s.last.Before(cur.first) {
			continue
		}
		km := distanceKM(s.loc, in.loc)
		if km < d.c.TravelMinKM || !d.once(u, kind, pairKey(s.loc, in.loc), o.At) {
			continue
		}
		return append(out, d.factor(o.UserID, kind, o.At, d.c.severity[kind],
			fmt.Sprintf("sessions in use at once in %s and %s, %s apart", placeName(s.loc), placeName(in.loc), kmText(km)),
			map[string]string{"here": placeName(in.loc), "there": placeName(s.loc), "km": strconv.Itoa(int(km)),
				"ip": o.IP.String(), "seen_there_minutes_ago": strconv.Itoa(int(o.At.Sub(s.last).Abs().Minutes()))}))
	}
	return out
}

func (d *Detector) newCountry(out []store.RiskFactor, u *userState, o *Observation, in *inputs) []store.RiskFactor {
	if !in.located || in.loc.Country == "" {
		return out
	}
	const kind = risk.KindNewCountry
	// The first country seen is the baseline, not news.
	news := len(u.countries) > 0 && !slices.Contains(u.countries, in.loc.Country)
	if news && d.on(kind) && d.once(u, kind, in.loc.Country, o.At) {
		known := strings.Join(u.countries, ", ")
		out = append(out, d.factor(o.UserID, kind, o.At, d.c.severity[kind],
			fmt.Sprintf("first request from %s; seen before from %s", placeName(in.loc), known),
			map[string]string{"country": in.loc.Country, "ip": o.IP.String(), "known": known}))
	}
	u.countries, _ = remember(u.countries, in.loc.Country)
	return out
}

func (d *Detector) newDevice(out []store.RiskFactor, u *userState, o *Observation) []store.RiskFactor {
	if o.Device == "" {
		return out
	}
	first := len(u.devices) == 0 // the first device seen is the baseline
	var known bool
	u.devices, known = remember(u.devices, o.Device)
	const kind = risk.KindNewDevice
	if known || first || !d.on(kind) {
		return out
	}
	fp := fingerprint(o.Device)
	if !d.once(u, kind, fp, o.At) {
		return out
	}
	return append(out, d.factor(o.UserID, kind, o.At, d.c.severity[kind],
		"a browser this account has not used before",
		map[string]string{"device": fp, "ip": o.IP.String(), "known_devices": strconv.Itoa(len(u.devices) - 1)}))
}
