package store

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Leases: a named role that at most one holder plays at a time among the
// processes sharing a store, such as the replica that pushes Shared
// Signals SETs. A lease is held until a time; its holder renews it before
// then, and anyone may take it once that time has passed (the holder died)
// or after the holder released it (a clean shutdown).
//
// Backends: AcquireLease(ctx, name, holder string, ttl time.Duration, now
// time.Time) (held bool, until time.Time, err error) takes the lease when
// it is free, expired (until not after now) or already holder's, setting
// it to expire at now+ttl, atomically whatever other holders do at the
// same time. held reports whether holder has it afterwards; until is when
// it expires (for another holder: when it may be taken; zero if it is no
// longer known). ReleaseLease(ctx, name, holder string) error ends
// holder's lease at once and does nothing when holder does not hold it.
//
// Expiry is judged by the callers' clocks (now), as everywhere in the
// store: processes sharing a lease must keep their clocks within a small
// part of the ttl of one another.

// maxLeaseName bounds a lease's name and holder.
const maxLeaseName = 200

// CheckLease refuses what no backend should store as a lease: an empty or
// overlong name or holder, text PostgreSQL cannot keep (invalid UTF-8,
// NUL), a ttl that is not positive, a zero now.
func CheckLease(name, holder string, ttl time.Duration, now time.Time) error {
	for _, s := range []string{name, holder} {
		if s == "" || len(s) > maxLeaseName || !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return fmt.Errorf("lease name and holder must be UTF-8 text of 1 to %d bytes", maxLeaseName)
		}
	}
	switch {
	case ttl <= 0:
		return errors.New("lease ttl must be positive")
	case now.IsZero():
		return errors.New("lease needs the time")
	}
	return nil
}
