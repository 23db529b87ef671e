package session

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCreateLookup(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	v, s := e.create(t, e.m, "ada")
	if s.UserID != UserID("corp", "ada") || s.ExpiresAt != e.clock.Now().Add(8*time.Hour) || s.IP != "192.0.2.1" {
		t.Fatalf("unexpected session %+v", s)
	}
	if strings.Contains(v, s.ID) || len(s.ID) != idLen {
		t.Fatalf("session ID %q must be a hash not found in the cookie", s.ID)
	}
	if u, err := e.db.GetUser(ctx, s.UserID); err != nil || u.Subject != "ada" || u.Email != "ada@example.com" {
		t.Fatalf("user not recorded: %+v, %v", u, err)
	}
	before := e.st.calls.Load()
	got, err := e.m.Lookup(ctx, v)
	if err != nil || got.ID != s.ID || got.UserID != s.UserID {
		t.Fatalf("Lookup = %+v, %v; want the cached session %s", got, err, s.ID)
	}
	// The cache goes without the raw ID token (logout reads it from the store).
	if got.IDToken != "" {
		t.Fatalf("the cached session keeps the ID token")
	}
	if again, _ := e.m.Lookup(ctx, v); again != got {
		t.Fatalf("a second Lookup returned another copy: %p, %p", again, got)
	}
	if n := e.st.calls.Load() - before; n != 0 {
		t.Fatalf("warm Lookup made %d store calls", n)
	}
	// Another replica has an empty cache: it loads the same record.
	other := e.manager(t, nil)
	loaded, err := other.Lookup(ctx, v)
	if err != nil {
		t.Fatalf("cold Lookup: %v", err)
	}
	if !reflect.DeepEqual(loaded, s) {
		t.Fatalf("loaded session differs:\n got  %+v\n want %+v", loaded, s)
	}
}

func TestLookupRejects(t *testing.T) {
	e := newEnv(t, nil)
	v, _ := e.create(t, e.m, "ada")
	wrongKey := e.manager(t, func(o *Options) { o.MasterSecret = bytes.Repeat([]byte("x"), 32) })
	forged, _ := fixedCookie(t, e.m.codec) // well-formed, never stored
	for _, tc := range []struct {
		name  string
		m     *Manager
		value string
	}{
		{"empty", e.m, ""},
		{"garbage", e.m, "not a cookie"},
		{"tampered", e.m, flip(v, cookieLen/2)},
		{"truncated", e.m, v[:len(v)-1]},
		{"wrong key", wrongKey, v},
		{"unknown session", e.m, forged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.m.Lookup(t.Context(), tc.value)
			if !errors.Is(err, ErrNoSession) || s != nil {
				t.Fatalf("Lookup = %v, %v; want ErrNoSession", s, err)
			}
		})
	}
}

func TestTimeouts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		steps   []time.Duration // advance, then Lookup, for each
		wantOK  []bool
		coldEnd bool // look the last step up on a fresh replica after a flush
	}{
		{"active until absolute", append(slices.Repeat([]time.Duration{50 * time.Minute}, 9), 29*time.Minute, time.Minute), nil, false},
		{"idle just under", []time.Duration{time.Hour - time.Second}, []bool{true}, false},
		{"idle reached", []time.Duration{time.Hour}, []bool{false}, false},
		{"idle resets on use", []time.Duration{50 * time.Minute, 50 * time.Minute, 50 * time.Minute}, []bool{true, true, true}, false},
		{"idle cold replica", []time.Duration{50 * time.Minute, 61 * time.Minute}, []bool{true, false}, true},
		{"use seen by cold replica", []time.Duration{50 * time.Minute, 50 * time.Minute}, []bool{true, true}, true},
		{"absolute cold replica", []time.Duration{8 * time.Hour}, []bool{false}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			v, _ := e.create(t, e.m, "ada")
			want := tc.wantOK
			if want == nil { // the first case: fine until 8h after creation
				var total time.Duration
				for _, d := range tc.steps {
					total += d
					want = append(want, total < 8*time.Hour)
				}
			}
			for i, d := range tc.steps {
				e.clock.Advance(d)
				m := e.m
				if tc.coldEnd && i == len(tc.steps)-1 {
					if err := e.m.Flush(t.Context()); err != nil {
						t.Fatal(err)
					}
					m = e.manager(t, nil)
				}
				_, err := m.Lookup(t.Context(), v)
				if ok := err == nil; ok != want[i] {
					t.Fatalf("step %d (+%v): Lookup error %v, want ok=%v", i, d, err, want[i])
				}
				if err != nil && !errors.Is(err, ErrNoSession) {
					t.Fatalf("step %d: timeout error %v is not ErrNoSession", i, err)
				}
			}
		})
	}
}

func TestWriteBehind(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	v, s := e.create(t, e.m, "ada")
	e.clock.Advance(10 * time.Minute)
	if _, err := e.m.Lookup(ctx, v); err != nil {
		t.Fatal(err)
	}
	stored := func() time.Time {
		got, err := e.db.GetSession(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.LastSeenAt
	}
	if !stored().Equal(s.CreatedAt) {
		t.Fatal("last seen was written through; it should wait for the flush")
	}
	calls := e.st.calls.Load()
	if err := e.m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := stored(); !got.Equal(e.clock.Now()) {
		t.Fatalf("after Flush last seen = %v, want %v", got, e.clock.Now())
	}
	if err := e.m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.st.calls.Load() - calls; n != 1 {
		t.Fatalf("two flushes with one change made %d store calls, want 1", n)
	}
	e.clock.Advance(20 * time.Minute)
	if _, err := e.m.Lookup(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if got := stored(); !got.Equal(e.clock.Now()) {
		t.Fatalf("after Close last seen = %v, want %v", got, e.clock.Now())
	}
}

func TestRunFlushesAndStops(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.FlushInterval = time.Millisecond })
	v, s := e.create(t, e.m, "ada")
	e.clock.Advance(5 * time.Minute)
	if _, err := e.m.Lookup(t.Context(), v); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.m.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := e.db.GetSession(t.Context(), s.ID)
		if err == nil && got.LastSeenAt.Equal(e.clock.Now()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run did not flush")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestCacheBounded(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.CacheSize = 2 })
	ctx := t.Context()
	var values []string
	for _, sub := range []string{"a", "b", "c", "d"} {
		v, _ := e.create(t, e.m, sub)
		values = append(values, v)
	}
	e.clock.Advance(time.Minute)
	for _, v := range values {
		if _, err := e.m.Lookup(ctx, v); err != nil {
			t.Fatalf("evicted session not reloaded: %v", err)
		}
		if len(e.m.cache) > 2 {
			t.Fatalf("cache grew to %d", len(e.m.cache))
		}
	}
	// Last-seen times of evicted entries still reach the store.
	if err := e.m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	all, err := e.db.ListSessions(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if !s.LastSeenAt.Equal(e.clock.Now()) {
			t.Errorf("session of %s: last seen %v, want %v", s.Identity.Subject, s.LastSeenAt, e.clock.Now())
		}
	}
}

func TestStoreFailureIsNotNoSession(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	v, _ := e.create(t, e.m, "ada")
	cold := e.manager(t, nil)
	e.db.Close()
	_, err := cold.Lookup(ctx, v)
	if err == nil || errors.Is(err, ErrNoSession) {
		t.Fatalf("Lookup with the store down = %v; want a store error, not ErrNoSession", err)
	}
	if _, _, err := e.m.Create(ctx, ident("bob"), Meta{}); err == nil {
		t.Fatal("Create with the store down succeeded")
	}
	// Unflushed times survive a failed flush.
	e.clock.Advance(time.Minute)
	if _, err := e.m.Lookup(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Flush(ctx); err == nil {
		t.Fatal("Flush with the store down succeeded")
	}
	if len(e.m.pending) != 1 {
		t.Fatalf("pending = %d entries, want 1 kept for retry", len(e.m.pending))
	}
}

func TestNewValidates(t *testing.T) {
	db := openDB(t)
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"no store", Options{MasterSecret: testSecret}},
		{"short secret", Options{Store: db, MasterSecret: []byte("short")}},
		{"negative idle", Options{Store: db, MasterSecret: testSecret, IdleTimeout: -time.Second}},
	} {
		if _, err := New(tc.o); err == nil {
			t.Errorf("%s: New succeeded", tc.name)
		}
	}
}

func TestCookieAttributes(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.CookieName = "__Secure-vigil"; o.CookieDomain = "example.com" })
	v, _ := e.create(t, e.m, "ada")
	c := e.m.Cookie(v, true)
	if c.Name != "__Secure-vigil" || c.Value != v || c.Path != "/" || c.Domain != "example.com" ||
		!c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.MaxAge != 8*3600 {
		t.Fatalf("cookie %+v", c)
	}
	if c := e.m.Cookie(v, false); c.Secure {
		t.Fatal("Secure set on a plain-HTTP cookie")
	}
	if c := e.m.ClearCookie(true); c.MaxAge >= 0 || c.Value != "" || c.Name != "__Secure-vigil" {
		t.Fatalf("clearing cookie %+v", c)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(c)
	if _, err := e.m.LookupRequest(r); err != nil {
		t.Fatalf("LookupRequest: %v", err)
	}
	if _, err := e.m.LookupRequest(httptest.NewRequest("GET", "/", nil)); !errors.Is(err, ErrNoSession) {
		t.Fatalf("LookupRequest without cookie = %v", err)
	}
}

func TestUserID(t *testing.T) {
	a, b := UserID("corp", "x"), UserID("corp:x", "")
	if a == b || !strings.HasPrefix(a, "corp:") || len(a) != len("corp:")+idLen {
		t.Fatalf("UserID = %q, %q", a, b)
	}
	if UserID("corp", "x") != a {
		t.Fatal("UserID not stable")
	}
}

func TestUserAgentBounded(t *testing.T) {
	e := newEnv(t, nil)
	_, s, err := e.m.Create(t.Context(), ident("ada"), Meta{UserAgent: strings.Repeat("é", 400)})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.UserAgent) > maxUserAgent || !strings.HasPrefix(strings.Repeat("é", 400), s.UserAgent) {
		t.Fatalf("user agent %d bytes", len(s.UserAgent))
	}
}
