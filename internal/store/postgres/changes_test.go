package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/postgres"
)

// TestSeqGaplessInCommitOrder races many writers, through every kind of
// change-appending write and two replicas, against a reader that must
// never see a later Seq before an earlier one, nor LastChange run ahead of
// what it can read: a follower would take either for a purge.
func TestSeqGaplessInCommitOrder(t *testing.T) {
	parallel(t)
	a, dsn := openFresh(t, postgres.Options{})
	b := openDSN(t, dsn, postgres.Options{})
	ctx := t.Context()
	const writers, each = 8, 20
	writes := []func(db *postgres.DB, w, i int) (int64, error){
		func(db *postgres.DB, w, i int) (int64, error) {
			return db.AppendChange(ctx, store.ChangeRisk, fmt.Sprintf("u%d", w), time.Now())
		},
		func(db *postgres.DB, w, i int) (int64, error) {
			return db.AppendChangeReason(ctx, store.ChangeRevokeNote, fmt.Sprintf("u%d", w), "stolen laptop", time.Now())
		},
		func(db *postgres.DB, w, i int) (int64, error) {
			_, err := db.DeleteUserSessions(ctx, fmt.Sprintf("u%d", w))
			return 0, err
		},
		func(db *postgres.DB, w, i int) (int64, error) {
			return 0, db.RevokeApp(ctx, "wiki", time.Now())
		},
		func(db *postgres.DB, w, i int) (int64, error) {
			return 0, db.AddRiskFactor(ctx, &store.RiskFactor{ID: fmt.Sprintf("f%d-%d", w, i), UserID: "u1",
				Kind: "admin", Severity: 5, At: time.Now(), ExpiresAt: time.Now().Add(time.Hour)})
		},
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		handed  []int64
		stopped atomic.Bool
		start   = make(chan struct{})
	)
	for w := range writers {
		wg.Go(func() {
			<-start
			db := []*postgres.DB{a, b}[w%2]
			for i := range each {
				seq, err := writes[(w+i)%len(writes)](db, w, i)
				if err != nil {
					t.Errorf("writer %d, write %d: %v", w, i, err)
					return
				}
				if seq != 0 {
					mu.Lock()
					handed = append(handed, seq)
					mu.Unlock()
				}
			}
		})
	}
	readErr := make(chan error, 1)
	go func() { readErr <- readContiguously(ctx, b, writers*each, &stopped) }()
	close(start)
	wg.Wait()
	stopped.Store(true)
	if err := <-readErr; err != nil {
		t.Fatal(err)
	}
	cs, err := a.Changes(ctx, 0, 10*writers*each)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != writers*each || cs[0].Seq != 1 || cs[len(cs)-1].Seq != int64(writers*each) {
		t.Fatalf("feed holds %d changes from %d to %d, want 1..%d", len(cs), cs[0].Seq, cs[len(cs)-1].Seq, writers*each)
	}
	slices.Sort(handed)
	if len(slices.Compact(slices.Clone(handed))) != len(handed) {
		t.Fatalf("a Seq was handed out twice: %v", handed)
	}
}

// readContiguously follows the feed until it has read want changes (or
// the writers stopped and nothing more comes), checking every read.
func readContiguously(ctx context.Context, db *postgres.DB, want int, stopped *atomic.Bool) error {
	var last int64
	for {
		writersDone := stopped.Load()
		lastChange, err := db.LastChange(ctx)
		if err != nil {
			return err
		}
		cs, err := db.Changes(ctx, last, 10*want)
		if err != nil {
			return err
		}
		for _, c := range cs {
			if c.Seq != last+1 {
				return fmt.Errorf("read Seq %d right after %d: a gap a follower would take for a purge", c.Seq, last)
			}
			last = c.Seq
		}
		if last < lastChange {
			return fmt.Errorf("LastChange said %d but only %d was readable", lastChange, last)
		}
		if last == int64(want) {
			return nil
		}
		if writersDone {
			return fmt.Errorf("writers done, read only %d of %d changes", last, want)
		}
	}
}

// TestFeedNumbersEveryInsert: the database, not the Go code, numbers the
// feed. An operator's insert from a session with another search_path
// takes the next Seq of the right schema, and a rolled-back insert gives
// its number back.
func TestFeedNumbersEveryInsert(t *testing.T) {
	parallel(t)
	db, dsn := openFresh(t, postgres.Options{})
	ctx := t.Context()
	first, err := db.AppendChange(ctx, store.ChangeRisk, "u1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	adminExec(t, serverDSN(t), "SET search_path = public",
		"INSERT INTO "+postgres.SchemaForTest(db)+".changes (seq, kind, key, at) VALUES (9999, 'user-revoked', 'u9', now())")
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO changes (kind, key, at) VALUES ('risk', 'rolled-back', now())`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	next, err := db.AppendChange(ctx, store.ChangeRisk, "u2", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cs, err := db.Changes(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cs {
		got = append(got, fmt.Sprint(c.Seq, " ", c.Key))
	}
	want := []string{fmt.Sprint(first, " u1"), fmt.Sprint(first+1, " u9"), fmt.Sprint(first+2, " u2")}
	if !slices.Equal(got, want) || next != first+2 {
		t.Fatalf("feed = %v (last append %d), want %v", got, next, want)
	}
}
