package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// ConfigBackend keeps the shared configuration's versions (see
// store.ConfigStore for the contract), with the change feed it announces
// them on. Beyond the contract the suite pins down: the document reads
// back byte for byte with its hex SHA-256 and the time in UTC; a refused
// write stores nothing and appends no change; concurrent writers get
// distinct consecutive versions whose changes are in version order.
type ConfigBackend interface {
	store.ConfigStore
	Changes(ctx context.Context, afterSeq int64, limit int) ([]store.Change, error)
}

// RunConfig runs the shared configuration conformance tests. open must
// return a new, empty store for each call and arrange its cleanup.
func RunConfig(t *testing.T, open func(t *testing.T) ConfigBackend) {
	tests := []struct {
		name string
		run  func(t *testing.T, b ConfigBackend)
	}{
		{"Empty", testConfigEmpty},
		{"RoundTrip", testConfigRoundTrip},
		{"Versions", testConfigVersions},
		{"BadInput", testConfigBadInput},
		{"History", testConfigHistory},
		{"Concurrent", testConfigConcurrent},
	}
	for _, tc := range tests {
		t.Run("Config"+tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

func putConfig(t *testing.T, b ConfigBackend, doc, actor string, at time.Time) int64 {
	t.Helper()
	v, err := b.PutConfig(t.Context(), []byte(doc), actor, at)
	if err != nil {
		t.Fatalf("PutConfig(%q): %v", doc, err)
	}
	return v
}

func configChanges(t *testing.T, b ConfigBackend) []string {
	t.Helper()
	cs, err := b.Changes(t.Context(), 0, 1000)
	if err != nil {
		t.Fatalf("Changes: %v", err)
	}
	var keys []string
	for _, c := range cs {
		if c.Kind == store.ChangeConfig {
			keys = append(keys, c.Key)
		}
	}
	return keys
}

func testConfigEmpty(t *testing.T, b ConfigBackend) {
	if _, err := b.LatestConfig(t.Context()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("LatestConfig on an empty store: %v, want ErrNotFound", err)
	}
	if _, err := b.GetConfig(t.Context(), 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetConfig(1) on an empty store: %v, want ErrNotFound", err)
	}
}

func testConfigRoundTrip(t *testing.T, b ConfigBackend) {
	doc := "apps:\n  - name: wiki # é, ✓\n    upstream: http://127.0.0.1:3000\n"
	at := base.In(time.FixedZone("X", -7200))
	v := putConfig(t, b, doc, "admin:jane", at)
	if v != 1 {
		t.Fatalf("first version = %d, want 1", v)
	}
	sum := sha256.Sum256([]byte(doc))
	want := &store.ConfigVersion{Version: 1, Document: []byte(doc), SHA256: hex.EncodeToString(sum[:]),
		Actor: "admin:jane", CreatedAt: base}
	got, err := b.LatestConfig(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "latest", got, want)
	got, err = b.GetConfig(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "version 1", got, want)
	cs, err := b.Changes(t.Context(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Kind != store.ChangeConfig || cs[0].Key != "1" || !cs[0].At.Equal(base) {
		t.Fatalf("changes after a put: %+v, want one config-changed with key 1 at the put's time", cs)
	}
}

func testConfigVersions(t *testing.T, b ConfigBackend) {
	for i := 1; i <= 3; i++ {
		if v := putConfig(t, b, "apps: []\n# "+strconv.Itoa(i), "admin", base.Add(time.Duration(i)*time.Second)); v != int64(i) {
			t.Fatalf("put %d got version %d", i, v)
		}
	}
	got, err := b.LatestConfig(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 3 || string(got.Document) != "apps: []\n# 3" {
		t.Fatalf("latest = %d %q, want 3", got.Version, got.Document)
	}
	if v2, err := b.GetConfig(t.Context(), 2); err != nil || string(v2.Document) != "apps: []\n# 2" {
		t.Fatalf("version 2: %v %v", v2, err)
	}
	for _, v := range []int64{0, -1, 4} {
		if _, err := b.GetConfig(t.Context(), v); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetConfig(%d): %v, want ErrNotFound", v, err)
		}
	}
	mustEqual(t, "config changes", configChanges(t, b), []string{"1", "2", "3"})
}

func testConfigBadInput(t *testing.T, b ConfigBackend) {
	for _, tc := range []struct {
		name, doc, actor string
		at               time.Time
	}{
		{"empty document", "", "admin", base},
		{"NUL", "apps: []\x00", "admin", base},
		{"not UTF-8", "apps: [\xff]", "admin", base},
		{"too large", strings.Repeat("#", store.MaxConfigDocument+1), "admin", base},
		{"no actor", "apps: []", "", base},
		{"actor with NUL", "apps: []", "ad\x00min", base},
		{"zero time", "apps: []", "admin", time.Time{}},
	} {
		if _, err := b.PutConfig(t.Context(), []byte(tc.doc), tc.actor, tc.at); err == nil {
			t.Errorf("%s: stored", tc.name)
		}
	}
	if _, err := b.LatestConfig(t.Context()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after refused puts LatestConfig: %v, want ErrNotFound", err)
	}
	if keys := configChanges(t, b); keys != nil {
		t.Fatalf("refused puts appended changes %v", keys)
	}
	// The largest document allowed is stored whole.
	big := strings.Repeat("#", store.MaxConfigDocument)
	putConfig(t, b, big, "admin", base)
	if got, err := b.LatestConfig(t.Context()); err != nil || len(got.Document) != len(big) {
		t.Fatalf("largest document: %v", err)
	}
}

func testConfigHistory(t *testing.T, b ConfigBackend) {
	n := store.ConfigHistory + 5
	for i := 1; i <= n; i++ {
		putConfig(t, b, "# v"+strconv.Itoa(i), "admin", base)
	}
	latest, err := b.LatestConfig(t.Context())
	if err != nil || latest.Version != int64(n) {
		t.Fatalf("latest after %d puts: %v %v", n, latest, err)
	}
	oldest := int64(n - store.ConfigHistory + 1)
	if _, err := b.GetConfig(t.Context(), oldest-1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("version %d, past the history of %d: %v, want ErrNotFound", oldest-1, store.ConfigHistory, err)
	}
	if c, err := b.GetConfig(t.Context(), oldest); err != nil || string(c.Document) != "# v"+strconv.Itoa(int(oldest)) {
		t.Fatalf("oldest kept version %d: %v %v", oldest, c, err)
	}
	// Pruning never renumbers: the next version follows the latest.
	if v := putConfig(t, b, "# next", "admin", base); v != int64(n+1) {
		t.Fatalf("next version = %d, want %d", v, n+1)
	}
}

func testConfigConcurrent(t *testing.T, b ConfigBackend) {
	const writers = 8
	var wg sync.WaitGroup
	versions := make(chan int64, writers)
	for i := range writers {
		wg.Go(func() {
			v, err := b.PutConfig(context.Background(), []byte("# writer "+strconv.Itoa(i)), "admin", base)
			if err != nil {
				t.Errorf("writer %d: %v", i, err)
				return
			}
			versions <- v
		})
	}
	wg.Wait()
	close(versions)
	seen := map[int64]bool{}
	for v := range versions {
		if seen[v] || v < 1 || v > writers {
			t.Fatalf("version %d handed out twice or outside 1..%d", v, writers)
		}
		seen[v] = true
	}
	// The feed announces versions in the order they committed.
	var want []string
	for v := 1; v <= writers; v++ {
		want = append(want, strconv.Itoa(v))
	}
	mustEqual(t, "config changes in version order", configChanges(t, b), want)
}
