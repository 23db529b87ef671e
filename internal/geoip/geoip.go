package geoip

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"sync"
	"time"

	maxminddb "github.com/oschwald/maxminddb-golang/v2"
)

// Location is where a database places an address.
type Location struct {
	Country string // ISO 3166-1 alpha-2, upper case
	City    string // may be empty; DB-IP adds the district in parentheses
	// Lat and Lon are in degrees. DB-IP stores them as float32, so they
	// carry about seven significant digits (metres), far finer than the
	// data's real accuracy (a city).
	Lat, Lon float64
}

// FileInfo describes one opened database file, for a start-up log line.
type FileInfo struct {
	Path  string
	Type  string    // database_type from the file's metadata, e.g. "city ipv4"
	Built time.Time // build_epoch from the metadata
	// Nodes is the size of the search tree, close to the number of networks.
	// The exact record count would need a walk over the whole file.
	Nodes      uint
	IPv4, IPv6 bool // address families the file has data for
}

func (f FileInfo) String() string {
	fam := "IPv4"
	switch {
	case f.IPv4 && f.IPv6:
		fam = "IPv4+IPv6"
	case f.IPv6:
		fam = "IPv6"
	}
	return fmt.Sprintf("%s: %q built %s, %d nodes, %s", filepath.Base(f.Path), f.Type,
		f.Built.UTC().Format(time.DateOnly), f.Nodes, fam)
}

// ErrClosed is returned by lookups after Close.
var ErrClosed = errors.New("geoip: database closed")

// DB is a set of opened database files. It is safe for concurrent use.
type DB struct {
	// mu makes Close wait for lookups in flight: the files are memory-mapped
	// and reading one after it is unmapped would crash the process.
	mu     sync.RWMutex
	closed bool
	files  []*file
	v4, v6 []*file // files to ask, in the order given to Open
}

type file struct {
	r    *maxminddb.Reader
	info FileInfo
}

// Open opens one or more .mmdb files: DB-IP's separate IPv4 and IPv6 files,
// or one file with both. An address is looked up in the files that hold its
// family, in the order given, and the first usable record wins. Open fails
// when a file cannot be read, has no data, or does not hold records with a
// country and coordinates in a layout this package reads.
//
// The files must not be rewritten in place while open (they are
// memory-mapped): replace them by rename, as scripts/fetch-geoip.sh does,
// and open the new ones.
func Open(paths ...string) (*DB, error) {
	if len(paths) == 0 {
		return nil, errors.New("geoip: no database file given")
	}
	db := &DB{}
	for _, p := range paths {
		r, err := maxminddb.Open(p)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("geoip: open %s: %w", p, err)
		}
		f, err := newFile(p, r)
		if err != nil {
			db.Close()
			return nil, err
		}
		db.add(f)
	}
	return db, nil
}

func (db *DB) add(f *file) {
	db.files = append(db.files, f)
	if f.info.IPv4 {
		db.v4 = append(db.v4, f)
	}
	if f.info.IPv6 {
		db.v6 = append(db.v6, f)
	}
}

// samples is how many records Open decodes per file to check the layout.
const samples = 16

// newFile checks an opened reader and describes it; it closes r on error.
func newFile(path string, r *maxminddb.Reader) (*file, error) {
	md := r.Metadata
	f := &file{r: r, info: FileInfo{Path: path, Type: md.DatabaseType, Built: md.BuildTime(), Nodes: md.NodeCount}}
	fail := func(msg string, err error) (*file, error) {
		r.Close()
		if err == nil {
			return nil, fmt.Errorf("geoip: %s: %s", path, msg)
		}
		return nil, fmt.Errorf("geoip: %s: %s: %w", path, msg, err)
	}

	// Find which families have data and decode a few records of each.
	// In an IPv6 file the IPv4 space sits at ::/96; real IPv6 data is all
	// inside 2000::/3 (global unicast).
	var probes []netip.Prefix
	switch md.IPVersion {
	case 4:
		probes = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
	case 6:
		probes = []netip.Prefix{netip.MustParsePrefix("::/96"), netip.MustParsePrefix("2000::/3")}
	default:
		return fail(fmt.Sprintf("unsupported ip_version %d", md.IPVersion), nil)
	}
	usable := 0
	for i, p := range probes {
		n := 0
		for res := range r.NetworksWithin(p) {
			if err := res.Err(); err != nil {
				return fail("reading networks", err)
			}
			var rec record
			err := res.Decode(&rec)
			var ok bool
			if err == nil {
				_, ok, err = rec.location()
			}
			if err != nil {
				return fail("record for "+res.Prefix().String(), err)
			}
			if ok {
				usable++
			}
			if n++; n == samples {
				break
			}
		}
		if n > 0 {
			if md.IPVersion == 4 || i == 0 {
				f.info.IPv4 = true
			} else {
				f.info.IPv6 = true
			}
		}
	}
	if !f.info.IPv4 && !f.info.IPv6 {
		return fail("no networks with data", nil)
	}
	if usable == 0 {
		return fail("no record with a country and coordinates among the first networks; is it a City database?", nil)
	}
	return f, nil
}

// Lookup returns the location of ip. ok is false for private, loopback,
// link-local and multicast addresses, for addresses no file covers, and when
// the record is unusable or unreadable (LookupErr tells those apart).
// IPv4-mapped IPv6 addresses are looked up as IPv4.
func (db *DB) Lookup(ip netip.Addr) (Location, bool) {
	loc, ok, _ := db.LookupErr(ip)
	return loc, ok
}

// LookupErr is Lookup that also reports a malformed record or a closed DB.
func (db *DB) LookupErr(ip netip.Addr) (Location, bool, error) {
	ip = ip.Unmap()
	if !ip.IsGlobalUnicast() || ip.IsPrivate() { // also rejects the zero Addr
		return Location{}, false, nil
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.closed {
		return Location{}, false, ErrClosed
	}
	files := db.v6
	if ip.Is4() {
		files = db.v4
	}
	for _, f := range files {
		res := f.r.Lookup(ip)
		if !res.Found() {
			if err := res.Err(); err != nil {
				return Location{}, false, fmt.Errorf("geoip: %s: lookup: %w", f.info.Path, err)
			}
			continue
		}
		// Decode takes an interface, so a record on the stack would escape
		// to the heap on every lookup; pooled ones do not.
		rec := recordPool.Get().(*record)
		*rec = record{}
		err := res.Decode(rec)
		var loc Location
		var ok bool
		if err == nil {
			loc, ok, err = rec.location()
		}
		recordPool.Put(rec)
		if err != nil {
			return Location{}, false, fmt.Errorf("geoip: %s: record for %s: %w", f.info.Path, res.Prefix(), err)
		}
		if ok {
			return loc, true, nil
		}
	}
	return Location{}, false, nil
}

var recordPool = sync.Pool{New: func() any { return new(record) }}

// Info describes the opened files, in the order given to Open.
func (db *DB) Info() []FileInfo {
	out := make([]FileInfo, len(db.files))
	for i, f := range db.files {
		out[i] = f.info
	}
	return out
}

// Close waits for lookups in flight and releases the files. Lookups after
// Close report ErrClosed. Closing twice is harmless.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	var errs []error
	for _, f := range db.files {
		if err := f.r.Close(); err != nil {
			errs = append(errs, fmt.Errorf("geoip: close %s: %w", f.info.Path, err))
		}
	}
	return errors.Join(errs...)
}
