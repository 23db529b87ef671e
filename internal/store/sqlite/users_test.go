package sqlite_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

func TestObserveUserOps(t *testing.T) {
	var (
		mu  sync.Mutex
		ops = map[string]int{}
		nf  = map[string]int{}
	)
	db, _ := openTemp(t, sqlite.Options{Observe: func(op string, _ time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		ops[op]++
		if errors.Is(err, store.ErrNotFound) {
			nf[op]++
		}
	}})
	ctx := t.Context()
	_ = db.UpsertUser(ctx, &store.User{ID: "u"})
	_, _ = db.GetUser(ctx, "u")
	_ = db.SetUserVerification(ctx, "u", &identity.Verification{Provider: "idv", Subject: "s"})
	_ = db.SetUserVerification(ctx, "missing", nil)
	mu.Lock()
	defer mu.Unlock()
	for op, want := range map[string]int{"user.upsert": 1, "user.get": 1, "user.set_verification": 2} {
		if ops[op] != want {
			t.Errorf("observed %q %d times, want %d (all: %v)", op, ops[op], want, ops)
		}
	}
	if nf["user.set_verification"] != 1 {
		t.Errorf("observer saw ErrNotFound from user.set_verification %d times, want 1", nf["user.set_verification"])
	}
}
