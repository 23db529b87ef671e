package changes

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// Two handles on one file stand for two processes: what one appends, the
// other's Follower delivers, woken by the data_version Waiter (the
// interval is too long to deliver it otherwise).
func TestFollowSQLiteAcrossHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	open := func() *sqlite.DB {
		db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	if _, err := a.AppendChange(t.Context(), store.ChangeRisk, "history", time.Now()); err != nil {
		t.Fatal(err)
	}
	w, err := b.NewWaiter(t.Context(), time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	_, rec, _ := follow(t, Options{Source: b, Waker: w, Interval: time.Hour})
	if _, err := a.DeleteUserSessions(t.Context(), "u1"); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeApp(t.Context(), "wiki", time.Now()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "both changes", func() bool { return len(rec.keys()) == 2 })
	if got := rec.keys(); !slices.Equal(got, []string{"u1", "wiki"}) {
		t.Fatalf("delivered %v", got)
	}
}
