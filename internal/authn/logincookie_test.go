package authn

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"
)

func testCodec(t testing.TB) *loginCodec {
	t.Helper()
	c, err := newLoginCodec(bytes.Repeat([]byte{7}, 32), rand.Reader, true)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testTx() *transaction {
	return &transaction{Version: 1, State: "state-abc", Nonce: "nonce-def", Verifier: strings.Repeat("v", 43),
		Provider: "op", Return: "/app/", Expires: time.Date(2026, 1, 1, 0, 10, 0, 0, time.UTC)}
}

func TestLoginCookieRoundTrip(t *testing.T) {
	c := testCodec(t)
	tx := testTx()
	name := c.name(tx.State)
	if !strings.HasPrefix(name, "__Secure-vigil_login_") || name == c.name("other-state") {
		t.Fatalf("cookie name %q", name)
	}
	v, err := c.seal(name, tx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.open(name, v)
	if err != nil || *got != *tx {
		t.Fatalf("open = %+v, %v", got, err)
	}
	if strings.Contains(v, tx.State) || strings.Contains(v, tx.Verifier) {
		t.Fatal("cookie value leaks the transaction")
	}
}

func TestLoginCookieRefusals(t *testing.T) {
	c := testCodec(t)
	name := c.name("state-abc")
	v, err := c.seal(name, testTx())
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newLoginCodec(bytes.Repeat([]byte{8}, 32), rand.Reader, true)
	flip := []byte(v)
	flip[10] = map[bool]byte{true: 'B', false: 'A'}[flip[10] == 'A']
	empty := *testTx()
	empty.Verifier = ""
	emptyV, _ := c.seal(name, &empty)
	cases := []struct {
		name, cookie, value string
		codec               *loginCodec
	}{
		{"bit flip", name, string(flip), c},
		{"moved to another name", c.name("other"), v, c},
		{"other key", name, v, other},
		{"truncated", name, v[:len(v)-4], c},
		{"empty", name, "", c},
		{"not base64", name, "!!!!", c},
		{"too long", name, strings.Repeat("A", maxLoginCookieLen+1), c},
		{"missing verifier", name, emptyV, c},
	}
	for _, tc := range cases {
		if _, err := tc.codec.open(tc.cookie, tc.value); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// FuzzLoginCookie: the decoder never panics and accepts nothing it did not
// seal itself (the fuzzer cannot forge GCM tags).
func FuzzLoginCookie(f *testing.F) {
	// A fixed nonce source makes the sealed seed identical in every fuzz
	// worker process.
	c, err := newLoginCodec(bytes.Repeat([]byte{7}, 32), bytes.NewReader(make([]byte, 1<<20)), true)
	if err != nil {
		f.Fatal(err)
	}
	name := c.name("state-abc")
	good, err := c.seal(name, testTx())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add("")
	f.Add("AAAA")
	f.Add(strings.Repeat("_", 64))
	f.Fuzz(func(t *testing.T, v string) {
		tx, err := c.open(name, v)
		if err == nil && v != good {
			t.Fatalf("accepted a value it did not seal: %q -> %+v", v, tx)
		}
	})
}

func BenchmarkLoginCookie(b *testing.B) {
	c := testCodec(b)
	tx := testTx()
	name := c.name(tx.State)
	b.ReportAllocs()
	for b.Loop() {
		v, err := c.seal(name, tx)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.open(name, v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSafeReturn(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := safeReturn("https://app.example.com/some/path?q=1", appHost, "http", ""); err != nil {
			b.Fatal(err)
		}
	}
}
