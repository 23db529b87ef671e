package sqlite_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

func TestObserveOPKeyOps(t *testing.T) {
	var (
		mu        sync.Mutex
		ops       = map[string]int{}
		conflicts int
	)
	db, _ := openTemp(t, sqlite.Options{Observe: func(op string, _ time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		ops[op]++
		if errors.Is(err, store.ErrConflict) {
			conflicts++
		}
	}})
	ctx := t.Context()
	k := &store.SigningKey{ID: "k", Algorithm: "RS256", PrivateKey: []byte{1}, PublicKey: []byte{2}}
	if err := db.PutOPKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := db.PutOPKey(ctx, k); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second PutOPKey = %v, want ErrConflict", err)
	}
	_, _ = db.ListOPKeys(ctx)
	mu.Lock()
	defer mu.Unlock()
	for op, want := range map[string]int{"op_key.put": 2, "op_key.list": 1} {
		if ops[op] != want {
			t.Errorf("observed %q %d times, want %d (all: %v)", op, ops[op], want, ops)
		}
	}
	if conflicts != 1 {
		t.Errorf("observer saw ErrConflict %d times, want 1", conflicts)
	}
}
