package geoip

import (
	"fmt"
	"unicode/utf8"

	"github.com/oschwald/maxminddb-golang/v2/mmdbdata"
)

// record is one database record, decoded by hand rather than by reflection
// so that a lookup allocates nothing once the reader's string cache is warm.
// Two layouts are understood:
//
//	ip-location-db (DB-IP Lite): {country_code, city, latitude, longitude, state1, ...}
//	GeoIP2/GeoLite2 City:        {country: {iso_code}, city: {names: {en}}, location: {latitude, longitude}, ...}
//
// Unknown keys are skipped without following their pointers.
type record struct {
	country  string
	city     string
	lat, lon float64
	seen     uint8 // fields already set, so a duplicate is caught
}

const (
	seenCountry uint8 = 1 << iota
	seenCity
	seenLat
	seenLon
)

// Bounds on what one record may make us read. The library leaves traversal
// of hand-written decoders to them; these are far above real data (DB-IP has
// 8 keys per record, GeoIP2 City about 10 and 8 languages per name).
const (
	maxMapEntries = 64
	maxCountryLen = 8 // read bound; "two letters" is checked afterwards
	maxCityLen    = 256
)

var _ mmdbdata.CursorUnmarshaler = (*record)(nil)

// UnmarshalMaxMindDBCursor reads the top-level map of a record.
func (r *record) UnmarshalMaxMindDBCursor(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	return walkMap(c, func(key []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, error) {
		switch string(key) {
		case "country_code":
			return r.readString(v, &r.country, seenCountry, maxCountryLen)
		case "city":
			return r.readCity(v)
		case "latitude":
			return r.readFloat(v, &r.lat, seenLat)
		case "longitude":
			return r.readFloat(v, &r.lon, seenLon)
		case "country":
			return walkMap(v, func(key []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, error) {
				if string(key) == "iso_code" {
					return r.readString(v, &r.country, seenCountry, maxCountryLen)
				}
				return v.Skip()
			})
		case "location":
			return walkMap(v, func(key []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, error) {
				switch string(key) {
				case "latitude":
					return r.readFloat(v, &r.lat, seenLat)
				case "longitude":
					return r.readFloat(v, &r.lon, seenLon)
				}
				return v.Skip()
			})
		}
		return v.Skip()
	})
}

// readCity accepts the flat layout's string and GeoIP2's {names: {en: ...}}.
func (r *record) readCity(v mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	kind, err := v.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	if kind != mmdbdata.KindMap {
		return r.readString(v, &r.city, seenCity, maxCityLen)
	}
	return walkMap(v, func(key []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, error) {
		if string(key) != "names" {
			return v.Skip()
		}
		return walkMap(v, func(key []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, error) {
			if string(key) == "en" {
				return r.readString(v, &r.city, seenCity, maxCityLen)
			}
			return v.Skip()
		})
	})
}

func (r *record) readString(v mmdbdata.Cursor, dst *string, bit uint8, limit uint64) (mmdbdata.Cursor, error) {
	if r.seen&bit != 0 {
		return mmdbdata.Cursor{}, mmdbdata.NewInvalidDatabaseError("duplicate %s", fieldName(bit))
	}
	s, next, err := v.ReadStringMaxSize(limit)
	if err != nil {
		return mmdbdata.Cursor{}, fmt.Errorf("%s: %w", fieldName(bit), mmdbdata.NormalizeUnmarshalError[string](err))
	}
	*dst = s
	r.seen |= bit
	return next, nil
}

func (r *record) readFloat(v mmdbdata.Cursor, dst *float64, bit uint8) (mmdbdata.Cursor, error) {
	if r.seen&bit != 0 {
		return mmdbdata.Cursor{}, mmdbdata.NewInvalidDatabaseError("duplicate %s", fieldName(bit))
	}
	f, next, err := v.ReadFloat()
	if err != nil {
		return mmdbdata.Cursor{}, fmt.Errorf("%s: %w", fieldName(bit), mmdbdata.NormalizeUnmarshalError[float64](err))
	}
	*dst = f
	r.seen |= bit
	return next, nil
}

func fieldName(bit uint8) string {
	switch bit {
	case seenCountry:
		return "country"
	case seenCity:
		return "city"
	case seenLat:
		return "latitude"
	default:
		return "longitude"
	}
}

// walkMap calls field for every entry of the map at c and returns the
// cursor after the map. field must consume the value and return its successor.
func walkMap(c mmdbdata.Cursor, field func(key []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, error)) (mmdbdata.Cursor, error) {
	m, err := c.Map()
	if err != nil {
		return mmdbdata.Cursor{}, mmdbdata.NormalizeUnmarshalError[map[string]any](err)
	}
	if m.Size() > maxMapEntries {
		return mmdbdata.Cursor{}, mmdbdata.NewInvalidDatabaseError("map of %d entries (limit %d)", m.Size(), maxMapEntries)
	}
	var next mmdbdata.Cursor
	for {
		key, v, ok := m.Next(next)
		if !ok {
			break
		}
		if next, err = field(key, v); err != nil {
			return mmdbdata.Cursor{}, err
		}
	}
	return m.End()
}

// location checks a decoded record. ok is false when the record has no
// country or no coordinates (nothing a detector can use); err reports values
// that no honest database holds.
func (r *record) location() (Location, bool, error) {
	if r.country == "" || r.seen&(seenLat|seenLon) != seenLat|seenLon {
		return Location{}, false, nil
	}
	if !isCountryCode(r.country) {
		return Location{}, false, fmt.Errorf("country code %q is not two capital letters", r.country)
	}
	// Written so that NaN fails too.
	if !(r.lat >= -90 && r.lat <= 90) || !(r.lon >= -180 && r.lon <= 180) {
		return Location{}, false, fmt.Errorf("coordinates %v,%v out of range", r.lat, r.lon)
	}
	if !utf8.ValidString(r.city) {
		return Location{}, false, fmt.Errorf("city name is not UTF-8")
	}
	return Location{Country: r.country, City: r.city, Lat: r.lat, Lon: r.lon}, true, nil
}

func isCountryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
