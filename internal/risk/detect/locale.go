package detect

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zone names resolve without the system's zoneinfo

	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/store"
)

// lonTolerance is how far, in hours, a browser's UTC offset may be from
// the one the address's longitude suggests (lon/15). Zones follow
// borders, not meridians (all of China is UTC+8), and summer time adds
// an hour.
const lonTolerance = 3.0

// docTolerance is how far, in hours, the offset may be outside the
// document country's range: neighbours' zones.
const docTolerance = 1.0

// locale checks the browser's time zone against where the address is and
// against the country of the user's verified document. Someone working a
// laptop remotely, or through a proxy at home, keeps their own clock: a
// Pyongyang clock behind a Texas address and a US passport. The language
// only supports such a finding and never raises one alone: browsers say
// en-US nearly everywhere, and emigrants keep their language.
func (d *Detector) locale(out []store.RiskFactor, u *userState, o *Observation, in *inputs) []store.RiskFactor {
	const kind = risk.KindLocaleMismatch
	if in.zone == nil || !d.on(kind) {
		return out
	}
	_, secs := o.At.In(in.zone).Zone()
	off := float64(secs) / 3600
	lonOff := in.loc.Lon / 15
	farFromAddress := in.coords && hoursApart(off, lonOff) > lonTolerance
	doc, docKnown := docCountries[docCode(o.DocCountry)]
	offDocument := docKnown && (off < doc.min-docTolerance || off > doc.max+docTolerance)
	if !farFromAddress && !offDocument { // the common case: nothing to say, nothing built
		return out
	}
	if !d.once(u, kind, o.TimeZone, o.At) {
		return out
	}
	sev := d.c.severity[kind]
	var (
		why    []string
		points int
	)
	ev := map[string]string{"time_zone": o.TimeZone, "utc_offset": offsetText(off)}
	if farFromAddress {
		why = append(why, fmt.Sprintf("the address is in %s, around %s", placeName(in.loc), offsetText(math.Round(lonOff))))
		points += sev
		ev["address_place"] = placeName(in.loc)
	}
	if offDocument {
		why = append(why, fmt.Sprintf("the document is from %s (%s)", docCode(o.DocCountry), rangeText(doc.min, doc.max)))
		points += max(sev/2, 1)
		ev["document_country"] = docCode(o.DocCountry)
	}
	if tag, r := langRegion(o.Language); r != "" && (in.located || docKnown) &&
		(!in.located || r != in.loc.Country) && (!docKnown || r != doc.alpha2) {
		why = append(why, fmt.Sprintf("the browser's language is %s", tag))
		points += max(sev/4, 1)
		ev["language"] = tag
	}
	return append(out, d.factor(o.UserID, kind, o.At, points,
		fmt.Sprintf("browser clock on %s (%s), but %s", o.TimeZone, offsetText(off), strings.Join(why, "; ")), ev))
}

// hoursApart is the distance between two UTC offsets around the clock.
func hoursApart(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 24)
	return min(d, 24-d)
}

func offsetText(h float64) string {
	sign := "+"
	if h < 0 {
		sign, h = "-", -h
	}
	whole := math.Floor(h)
	if m := math.Round((h - whole) * 60); m != 0 {
		return fmt.Sprintf("UTC%s%d:%02d", sign, int(whole), int(m))
	}
	return fmt.Sprintf("UTC%s%d", sign, int(whole))
}

func rangeText(lo, hi float64) string {
	if lo == hi {
		return offsetText(lo)
	}
	return offsetText(lo) + " to " + offsetText(hi)
}

// docCode normalises a document's country code: upper case, and ICAO
// 9303's "D" for Germany as DEU.
func docCode(s string) string {
	s = strings.ToUpper(strings.TrimRight(s, "<"))
	if s == "D" {
		return "DEU"
	}
	return s
}

// langRegion reads a BCP 47 tag, or the first entry of an Accept-Language
// list, and returns it rebuilt from its language and region ("ko-KR") with
// the region ("KR"); both "" when it names no region. Only the rebuilt
// tag reaches a reason: the header is the client's to fill.
func langRegion(s string) (tag, region string) {
	s, _, _ = strings.Cut(s, ",")
	s, _, _ = strings.Cut(s, ";")
	parts := strings.FieldsFunc(strings.TrimSpace(s), func(r rune) bool { return r == '-' || r == '_' })
	if len(parts) < 2 || !isLetters(parts[0], 2, 3) {
		return "", ""
	}
	rest := parts[1:]
	if len(rest) > 2 {
		rest = rest[:2]
	}
	for _, p := range rest {
		if isLetters(p, 2, 2) {
			region = strings.ToUpper(p)
			return strings.ToLower(parts[0]) + "-" + region, region
		}
		if !isLetters(p, 4, 4) { // a script subtag may come first (zh-Hant-TW)
			return "", ""
		}
	}
	return "", ""
}

func isLetters(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := range len(s) {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// zoneCache resolves browser-reported zone names. time.LoadLocation reads
// and parses zone data on every call, so results are kept; unknown names
// too, so that junk costs one lookup. When full it starts over: the few
// hundred real names come back at once, junk does not.
type zoneCache struct {
	mu sync.Mutex
	m  map[string]*time.Location
}

const maxZones = 1024

func (z *zoneCache) load(name string) *time.Location {
	if !zoneName(name) {
		return nil
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if loc, ok := z.m[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = nil
	}
	if z.m == nil || len(z.m) >= maxZones {
		z.m = map[string]*time.Location{}
	}
	z.m[name] = loc
	return loc
}

// zoneName accepts what an IANA zone name can look like, and refuses
// "Local" (the server's own zone) and anything path-like.
func zoneName(s string) bool {
	if s == "" || len(s) > 64 || s == "Local" || s[0] == '/' || strings.Contains(s, "..") {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("/_+-", c) >= 0) {
			return false
		}
	}
	return true
}
