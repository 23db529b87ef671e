package assurance_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
)

// usersEnv is newEnv plus users without sessions, and bob signed out by an
// admin: IDs by name in e.users.
func usersEnv(t *testing.T) (*env, time.Time) {
	t.Helper()
	e := newEnv(t)
	now := time.Now()
	for _, u := range []struct {
		name, email, display string
		ago                  time.Duration
	}{
		{"grace", "Grace@Example.ORG", "Grace Hopper", time.Hour},
		{"pct", "pct@x.test", "100% sure", 2 * time.Hour},
		{"notpct", "k@x.test", "1000 tries", 3 * time.Hour},
		{"under", "a_b@x.test", "Under Score", 4 * time.Hour},
		{"notunder", "axb@x.test", "Not Under", 5 * time.Hour},
		{"bobby", "bob@example.com.au", "Bobby", -time.Hour}, // seen after everyone
	} {
		id := "corp:" + u.name
		err := e.db.UpsertUser(t.Context(), &store.User{ID: id, Provider: "corp", Subject: u.name, Email: u.email,
			Name: u.display, FirstSeenAt: now.Add(-u.ago), LastSeenAt: now.Add(-u.ago)})
		if err != nil {
			t.Fatal(err)
		}
		e.users[u.name] = id
	}
	v := &identity.Verification{Provider: "idv", Subject: "g", Level: "ial2", VerifiedAt: now}
	if err := e.db.SetUserVerification(t.Context(), e.users["grace"], v); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Revoke(t.Context(), admin.Revocation{Scope: admin.ScopeUser, Key: e.users["bob"], Reason: "laptop stolen"}); err != nil {
		t.Fatal(err)
	}
	return e, now
}

func TestUsersFromTable(t *testing.T) {
	e, _ := usersEnv(t)
	swapCase := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case 'a' <= r && r <= 'z':
				return r - 'a' + 'A'
			case 'A' <= r && r <= 'Z':
				return r - 'A' + 'a'
			}
			return r
		}, s)
	}
	for _, tc := range []struct {
		name  string
		query string // "@name": that user's ID with its case swapped
		limit int
		want  []string // names, in order; nil: check only the count
		count int
	}{
		{"every user, signed out too", "", 100, nil, 9},
		{"limit", "", 3, []string{"bobby", "partner-ada", "bob"}, 3},
		{"limit one", "", 1, []string{"bobby"}, 1},
		{"signed-out user by email", "BOB@EXAMPLE.COM", 100, []string{"bob", "bobby"}, 2}, // exact first
		{"exact first despite the limit", "bob@example.com", 1, []string{"bob"}, 1},
		{"email, case folded", "grace@example.org", 100, []string{"grace"}, 1},
		{"name, case folded", "GRACE hop", 100, []string{"grace"}, 1},
		{"ID, case folded", "@grace", 100, []string{"grace"}, 1},
		{"ID of a user with sessions", "@ada", 100, []string{"ada"}, 1},
		{"percent is literal", "100%", 100, []string{"pct"}, 1},
		{"underscore is literal", "a_b", 100, []string{"under"}, 1},
		{"only a wildcard", "%", 100, []string{"pct"}, 1},
		{"no match", "zed", 100, nil, 0},
		{"zero limit", "", 0, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.query
			if name, ok := strings.CutPrefix(q, "@"); ok {
				q = swapCase(e.users[name])
			}
			got, err := e.svc.Users(t.Context(), q, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, u := range got {
				names = append(names, nameOf(e, u.ID))
			}
			if len(got) != tc.count || (tc.want != nil && !slices.Equal(names, tc.want)) {
				t.Fatalf("Users(%q, %d) = %q, want %q (%d)", q, tc.limit, names, tc.want, tc.count)
			}
		})
	}
}

func TestUsersSummaries(t *testing.T) {
	e, now := usersEnv(t)
	got, err := e.svc.Users(t.Context(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]admin.UserSummary{}
	for _, u := range got {
		by[nameOf(e, u.ID)] = u
	}
	if b := by["bob"]; b.Sessions != 0 || b.Email != "bob@example.com" || b.Provider != "corp" || b.LastSeenAt.IsZero() || b.Risk != "low" {
		t.Errorf("signed-out bob = %+v, want 0 sessions, his email, last seen at sign-in", b)
	}
	if a := by["ada"]; a.Sessions != 2 || a.Email != "ada@example.com" {
		t.Errorf("ada = %+v, want 2 sessions", a)
	}
	if g := by["grace"]; g.Sessions != 0 || g.Level != "ial2" || g.Name != "Grace Hopper" || !g.LastSeenAt.Equal(now.Add(-time.Hour).Truncate(time.Microsecond)) {
		t.Errorf("grace = %+v, want the table's record and verification", g)
	}
}

// TestUsersSeenBySession: a request on a session makes its user seen later
// than their sign-in; the list orders, and limits, by that.
func TestUsersSeenBySession(t *testing.T) {
	e, now := usersEnv(t)
	later := now.Add(3 * time.Hour)
	if err := e.db.TouchSessions(t.Context(), map[string]time.Time{e.sids["partner-ada"]: later}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query string
		limit int
		want  []string
	}{
		{"", 2, []string{"partner-ada", "bobby"}},
		{"", 1, []string{"partner-ada"}},
		{"ada@", 1, []string{"partner-ada"}},
		{"PARTNER", 5, []string{"partner-ada"}},
	} {
		got, err := e.svc.Users(t.Context(), tc.query, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range got {
			names = append(names, nameOf(e, u.ID))
		}
		if !slices.Equal(names, tc.want) {
			t.Errorf("Users(%q, %d) = %q, want %q", tc.query, tc.limit, names, tc.want)
		}
		if len(got) > 0 && (!got[0].LastSeenAt.Equal(later.Truncate(time.Microsecond)) || got[0].Sessions != 1) {
			t.Errorf("Users(%q)[0] = %+v, want last seen %v by its session", tc.query, got[0], later)
		}
	}
}

// nameOf is the env's name of user id ("ada" for the user of sessions ada
// and ada2).
func nameOf(e *env, id string) string {
	var names []string
	for n, x := range e.users {
		if x == id {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return id
	}
	return names[0]
}
