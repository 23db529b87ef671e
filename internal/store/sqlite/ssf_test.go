package sqlite_test

import (
	"testing"

	"github.com/vigil-gw/vigil/internal/store/sqlite"
	"github.com/vigil-gw/vigil/internal/store/storetest"
)

var _ storetest.SSFBackend = (*sqlite.DB)(nil)

func TestSSFConformance(t *testing.T) {
	storetest.RunSSF(t, func(t *testing.T) storetest.SSFBackend {
		db, _ := openTemp(t, sqlite.Options{})
		return db
	})
}

func TestSSFConformanceInMemory(t *testing.T) {
	storetest.RunSSF(t, func(t *testing.T) storetest.SSFBackend {
		db, err := sqlite.Open(t.Context(), ":memory:", sqlite.Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
