package detect

import (
	"slices"
	"time"
)

// Bounds on what one user's state holds; together they keep a user to
// about a kilobyte.
const (
	maxKnown    = 8  // devices and countries remembered per user
	maxSessions = 8  // sessions tracked per user for concurrent use
	maxEmitted  = 16 // findings remembered per user for de-duplication
	maxFailures = 16 // failed verifications remembered per user
)

// userState is what the detector remembers of one user.
type userState struct {
	last      sighting    // the latest located observation
	devices   []string    // known device cookies, least recent first
	countries []string    // known countries, least recent first
	sessions  []sessionAt // recently active sessions with a location
	emitted   []emission
	failures  []time.Time // failed verifications, oldest first
}

type sighting struct {
	ok  bool
	at  time.Time
	loc Location
}

type sessionAt struct {
	id          string
	loc         Location
	first, last time.Time
}

type emission struct {
	kind, key string
	until     time.Time
}

// once reports whether the finding (kind, key) is new at at, recording it
// until until when it is. When the list is full, expired findings go
// first, then the one that expires soonest.
func (u *userState) once(kind, key string, at, until time.Time) bool {
	u.emitted = slices.DeleteFunc(u.emitted, func(e emission) bool { return !at.Before(e.until) })
	for _, e := range u.emitted {
		if e.kind == kind && e.key == key {
			return false
		}
	}
	if len(u.emitted) >= maxEmitted {
		soonest := 0
		for i, e := range u.emitted {
			if e.until.Before(u.emitted[soonest].until) {
				soonest = i
			}
		}
		u.emitted = slices.Delete(u.emitted, soonest, soonest+1)
	}
	u.emitted = append(u.emitted, emission{kind: kind, key: key, until: until})
	return true
}

// forget drops recorded findings of kinds (all when nil).
func (u *userState) forget(kinds []string) {
	u.emitted = slices.DeleteFunc(u.emitted, func(e emission) bool {
		return kinds == nil || slices.Contains(kinds, e.kind)
	})
}

// remember moves v to the most recent end of list, adding it (and
// dropping the least recent beyond maxKnown) if absent. It reports
// whether v was known before.
func remember(list []string, v string) ([]string, bool) {
	if i := slices.Index(list, v); i >= 0 {
		list = slices.Delete(list, i, i+1)
		return append(list, v), true
	}
	if len(list) >= maxKnown {
		list = slices.Delete(list, 0, 1)
	}
	return append(list, v), false
}

// cluster is the users seen behind one device identifier or address prefix.
type cluster struct {
	members []member
}

type member struct {
	user string
	last time.Time
	// raised: until then the user has this cluster's farm factor, so a big
	// cluster (a NAT nobody listed as shared) costs little per request.
	raised time.Time
}

// join records user behind the cluster at at, forgets members not seen
// within window of at, and returns how many remain (user included). When
// full, the least recently seen member goes.
func (c *cluster) join(user string, at time.Time, window time.Duration) int {
	from := at.Add(-window)
	c.members = slices.DeleteFunc(c.members, func(m member) bool { return m.last.Before(from) })
	for i := range c.members {
		if m := &c.members[i]; m.user == user {
			if at.After(m.last) {
				m.last = at
			}
			return len(c.members)
		}
	}
	if len(c.members) >= maxCluster {
		oldest := 0
		for i := range c.members {
			if c.members[i].last.Before(c.members[oldest].last) {
				oldest = i
			}
		}
		c.members = slices.Delete(c.members, oldest, oldest+1)
	}
	c.members = append(c.members, member{user: user, last: at})
	return len(c.members)
}

// unraise lets user's farm finding in this cluster be raised again.
func (c *cluster) unraise(user string) {
	for i := range c.members {
		if c.members[i].user == user {
			c.members[i].raised = time.Time{}
		}
	}
}
