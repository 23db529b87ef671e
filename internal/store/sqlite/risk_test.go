package sqlite_test

import (
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// rawDB opens the file beside the store, to look at rows no method reads.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// Every write that changes a user's risk leaves exactly one row in the
// change feed, committed with it; refused writes and empty clears leave none.
func TestRiskAppendsChanges(t *testing.T) {
	db, path := openTemp(t, sqlite.Options{})
	ctx := t.Context()
	f := &store.RiskFactor{ID: "f1", UserID: "u1", Kind: "admin", Severity: 30, Source: "admin:root",
		At: t0, ExpiresAt: t0.Add(time.Hour)}
	if err := db.AddRiskFactor(ctx, f); err != nil {
		t.Fatal(err)
	}
	_ = db.AddRiskFactor(ctx, f) // conflict
	if _, err := db.ClearRiskFactors(ctx, "nobody", nil, t0, "admin:root"); err != nil {
		t.Fatal(err)
	}
	if n, err := db.ClearRiskFactors(ctx, "u1", nil, t0.Add(time.Minute), "admin:root"); err != nil || n != 1 {
		t.Fatalf("clear = %d, %v", n, err)
	}
	rows, err := rawDB(t, path).QueryContext(ctx, `SELECT kind, key, at FROM changes ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var (
			kind, key string
			at        int64
		)
		if err := rows.Scan(&kind, &key, &at); err != nil {
			t.Fatal(err)
		}
		got = append(got, kind+" "+key+" "+time.UnixMicro(at).UTC().Format(time.RFC3339Nano))
	}
	want := []string{
		"risk u1 " + t0.Format(time.RFC3339Nano),
		"risk u1 " + t0.Add(time.Minute).Format(time.RFC3339Nano),
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("changes:\n got  %q\n want %q", got, want)
	}
}

// A damaged evidence column is an error naming the factor, never a panic or
// a silently empty record.
func TestRiskCorruptEvidence(t *testing.T) {
	db, path := openTemp(t, sqlite.Options{})
	ctx := t.Context()
	f := &store.RiskFactor{ID: "f1", UserID: "u1", Kind: "admin", Severity: 30, At: t0, ExpiresAt: t0.Add(time.Hour)}
	if err := db.AddRiskFactor(ctx, f); err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB(t, path).ExecContext(ctx, `UPDATE risk_factors SET evidence = '[1' WHERE id = 'f1'`); err != nil {
		t.Fatal(err)
	}
	if fs, err := db.RiskFactors(ctx, "u1"); err == nil {
		t.Fatalf("RiskFactors on corrupt evidence = %v, nil; want an error", fs)
	}
	if fs, err := db.ActiveRiskFactors(ctx, t0); err == nil {
		t.Fatalf("ActiveRiskFactors on corrupt evidence = %v, nil; want an error", fs)
	}
}

func TestObserveRiskOps(t *testing.T) {
	var (
		mu  sync.Mutex
		ops = map[string]int{}
	)
	db, _ := openTemp(t, sqlite.Options{Observe: func(op string, _ time.Duration, _ error) {
		mu.Lock()
		defer mu.Unlock()
		ops[op]++
	}})
	ctx := t.Context()
	f := &store.RiskFactor{ID: "f1", UserID: "u1", Kind: "admin", Severity: 30, At: t0, ExpiresAt: t0.Add(time.Hour)}
	_ = db.AddRiskFactor(ctx, f)
	_, _ = db.RiskFactors(ctx, "u1")
	_, _ = db.ActiveRiskFactors(ctx, t0)
	_, _ = db.ClearRiskFactors(ctx, "u1", nil, t0, "admin:root")
	mu.Lock()
	defer mu.Unlock()
	for _, op := range []string{"risk.add", "risk.list", "risk.active", "risk.clear"} {
		if ops[op] != 1 {
			t.Errorf("observed %q %d times, want 1 (all: %v)", op, ops[op], ops)
		}
	}
}
