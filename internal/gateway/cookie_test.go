package gateway

import (
	"net/http"
	"testing"
)

// TestCookieValue checks cookieValue against net/http's own parser on the
// shapes browsers send.
func TestCookieValue(t *testing.T) {
	for _, hdr := range [][]string{
		{"vigil_session=abc; vigil_device=dev"},
		{"a=1", "vigil_session=abc"},
		{"  vigil_session = abc ; x=y"},
		{`vigil_session="quoted"`},
		{"vigil_sessionx=no; vigil_session=yes"},
		{"x=1;;vigil_device=d;"},
		{"novalue; vigil_session="},
		{""},
		nil,
	} {
		r := &http.Request{Header: http.Header{"Cookie": hdr}}
		for _, name := range []string{"vigil_session", "vigil_device"} {
			want := ""
			if c, err := r.Cookie(name); err == nil {
				want = c.Value
			}
			if got := cookieValue(r.Header, name); got != want {
				t.Errorf("%q %s: cookieValue %q, net/http %q", hdr, name, got, want)
			}
		}
	}
}

func BenchmarkCookieValue(b *testing.B) {
	r := &http.Request{Header: http.Header{"Cookie": {"_ga=GA1.2.3; vigil_session=MTcwMDAwMDAwMHxkZWFkYmVlZg; vigil_device=AbCdEfGhIjKlMnOpQrStUv; theme=dark"}}}
	b.Run("cookieValue", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if cookieValue(r.Header, "vigil_session") == "" || cookieValue(r.Header, "vigil_device") == "" {
				b.Fatal("missing")
			}
		}
	})
	b.Run("net/http", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c1, err1 := r.Cookie("vigil_session")
			c2, err2 := r.Cookie("vigil_device")
			if err1 != nil || err2 != nil || c1.Value == "" || c2.Value == "" {
				b.Fatal("missing")
			}
		}
	})
}

// FuzzCookieValue: never panics, and whenever net/http finds the cookie,
// cookieValue finds the same value.
func FuzzCookieValue(f *testing.F) {
	f.Add("vigil_session=abc; vigil_device=dev")
	f.Add(`a="b"; vigil_session="x y"`)
	f.Fuzz(func(t *testing.T, line string) {
		r := &http.Request{Header: http.Header{"Cookie": {line}}}
		got := cookieValue(r.Header, "vigil_session")
		if c, err := r.Cookie("vigil_session"); err == nil && c.Value != got {
			t.Fatalf("%q: cookieValue %q, net/http %q", line, got, c.Value)
		}
	})
}
