package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// userListTests pin down ListUsers, the operators' user search.
var userListTests = []conformanceTest{
	{"ListUsersOrderAndLimit", testListUsersOrderAndLimit},
	{"ListUsersMatch", testListUsersMatch},
	{"ListUsersRecords", testListUsersRecords},
}

// putUsers stores us; each ID's provider is the part before the colon.
func putUsers(t *testing.T, b Backend, us []store.User) {
	t.Helper()
	for i := range us {
		if err := b.UpsertUser(t.Context(), &us[i]); err != nil {
			t.Fatalf("UpsertUser %q: %v", us[i].ID, err)
		}
	}
}

func listUserIDs(t *testing.T, b Backend, q store.UserQuery) []string {
	t.Helper()
	us, err := b.ListUsers(t.Context(), q)
	if err != nil {
		t.Fatalf("ListUsers(%+v): %v", q, err)
	}
	var ids []string
	for _, u := range us {
		ids = append(ids, u.ID)
	}
	return ids
}

func testListUsersOrderAndLimit(t *testing.T, b Backend) {
	if got := listUserIDs(t, b, store.UserQuery{}); got != nil {
		t.Fatalf("empty store: %q, want nil", got)
	}
	putUsers(t, b, []store.User{
		{ID: "corp:old", Provider: "corp", Subject: "old", LastSeenAt: base.Add(-time.Hour)},
		{ID: "corp:never", Provider: "corp", Subject: "never"}, // zero time: last
		{ID: "corp:b", Provider: "corp", Subject: "b", LastSeenAt: base},
		{ID: "corp:a", Provider: "corp", Subject: "a", LastSeenAt: base}, // tie: by ID
		{ID: "corp:new", Provider: "corp", Subject: "new", LastSeenAt: base.Add(time.Microsecond)},
		{ID: "corp:anever", Provider: "corp", Subject: "anever"},
	})
	all := []string{"corp:new", "corp:a", "corp:b", "corp:old", "corp:anever", "corp:never"}
	for _, tc := range []struct {
		limit int
		want  []string
	}{
		{0, all}, {-1, all}, {len(all) + 1, all}, {1, all[:1]}, {3, all[:3]}, {5, all[:5]},
	} {
		mustEqual(t, fmt.Sprintf("ListUsers limit %d", tc.limit), listUserIDs(t, b, store.UserQuery{Limit: tc.limit}), tc.want)
	}
	// A later sign-in moves the user up.
	putUsers(t, b, []store.User{{ID: "corp:old", Provider: "corp", Subject: "old", LastSeenAt: base.Add(time.Hour)}})
	mustEqual(t, "after sign-in", listUserIDs(t, b, store.UserQuery{Limit: 2}), []string{"corp:old", "corp:new"})
}

func testListUsersMatch(t *testing.T, b Backend) {
	at := func(i int) time.Time { return base.Add(-time.Duration(i) * time.Minute) }
	putUsers(t, b, []store.User{
		{ID: "corp:Ada1", Provider: "corp", Subject: "Ada1", Email: "ada@example.com", Name: "Ada Lovelace", LastSeenAt: at(0)},
		{ID: "corp:bob", Provider: "corp", Subject: "bob", Email: "Bob.Smith@Example.COM", Name: "Robert", LastSeenAt: at(1)},
		{ID: "partner:x", Provider: "partner", Subject: "x", Email: "x@partner.test", Name: "GRACE Hopper", LastSeenAt: at(2)},
		{ID: "corp:pct", Provider: "corp", Subject: "pct", Email: "100%@example.com", Name: "Per Cent", LastSeenAt: at(3)},
		{ID: "corp:under", Provider: "corp", Subject: "under", Email: "a_b@example.com", Name: "Under Score", LastSeenAt: at(4)},
		{ID: "corp:esc", Provider: "corp", Subject: "esc", Email: `back\slash@example.com`, Name: "Es [c]'", LastSeenAt: at(5)},
		{ID: "corp:emile", Provider: "corp", Subject: "emile", Email: "e@example.com", Name: "Émile Zola", LastSeenAt: at(6)},
	})
	for _, tc := range []struct {
		match string
		limit int
		want  []string
	}{
		{"ada", 0, []string{"corp:Ada1"}},                  // ID, email and name alike
		{"ADA1", 0, []string{"corp:Ada1"}},                 // ID, case folded
		{"bob.smith@example.com", 0, []string{"corp:bob"}}, // email, stored in mixed case
		{"grace hop", 0, []string{"partner:x"}},            // name
		{"PARTNER:", 0, []string{"partner:x"}},             // ID prefix
		{"example.com", 0, []string{"corp:Ada1", "corp:bob", "corp:pct", "corp:under", "corp:esc", "corp:emile"}},
		{"example.com", 2, []string{"corp:Ada1", "corp:bob"}}, // limit after the match
		{"%", 0, []string{"corp:pct"}},                        // no LIKE wildcards
		{"_", 0, []string{"corp:under"}},
		{"a_b", 0, []string{"corp:under"}},
		{"100%@", 0, []string{"corp:pct"}},
		{`\`, 0, []string{"corp:esc"}},
		{"[c]'", 0, []string{"corp:esc"}},
		{"*", 0, nil},
		{"ÉMILE", 0, []string{"corp:emile"}}, // ASCII folded, the rest as is
		{"émile", 0, nil},                    // only ASCII is folded, on every backend
		{"nobody", 0, nil},
		{"a\x00", 0, nil}, // text no backend could hold
		{"\xff", 0, nil},
	} {
		got := listUserIDs(t, b, store.UserQuery{Match: tc.match, Limit: tc.limit})
		if !slices.Equal(got, tc.want) {
			t.Errorf("ListUsers(%q, limit %d) = %q, want %q", tc.match, tc.limit, got, tc.want)
		}
	}
}

// testListUsersRecords checks the records come back whole, verification
// included, as GetUser returns them.
func testListUsersRecords(t *testing.T, b Backend) {
	u := newUser("corp:abc", base)
	u.FirstSeenAt = base.Add(-24 * time.Hour)
	if err := b.UpsertUser(t.Context(), u); err != nil {
		t.Fatalf("UpsertUser: %v", err)
	}
	if err := b.SetUserVerification(t.Context(), u.ID, fullUserVerification()); err != nil {
		t.Fatalf("SetUserVerification: %v", err)
	}
	got, err := b.ListUsers(t.Context(), store.UserQuery{Match: "ADA"})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	mustEqual(t, "listed users", got, []store.User{*getUser(t, b, u.ID)})
	if got[0].Verification == nil || got[0].FirstSeenAt.IsZero() {
		t.Fatalf("listed user lacks its verification or first seen: %+v", got[0])
	}
}
