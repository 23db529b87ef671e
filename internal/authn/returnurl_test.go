package authn

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func appHost(h string) bool { return h == "app.example.com" || h == "gw.example.com" }

var returnCases = []struct {
	in   string
	want string // "" = refused
}{
	{"/", "/"},
	{"/app/page?x=1#frag", "/app/page?x=1#frag"},
	{"/a/b%20c", "/a/b%20c"},
	{"https://app.example.com/x?y=z", "https://app.example.com/x?y=z"},
	{"http://app.example.com/", "http://app.example.com/"},
	{"https://APP.example.com/Path", "https://app.example.com/Path"},
	{"HTTPS://app.example.com/", "https://app.example.com/"},
	{"", ""},
	{"//evil.com", ""},
	{"//evil.com/path", ""},
	{"///evil.com", ""},
	{"/\\evil.com", ""},
	{"\\\\evil.com", ""},
	{"/%2fevil.com", ""},
	{"/%5cevil.com", ""},
	{"https://evil.com/", ""},
	{"https://app.example.com.evil.com/", ""},
	{"https://evil.com#app.example.com", ""},
	{"https://app.example.com@evil.com/", ""},
	{"https://user:pw@app.example.com/", ""},
	{"https://app.example.com:8443/", ""},
	{"javascript:alert(1)", ""},
	{"JavaScript:alert(1)", ""},
	{"data:text/html,<script>alert(1)</script>", ""},
	{"ftp://app.example.com/", ""},
	{"https:app.example.com", ""},
	{"https:/app.example.com", ""},
	{"http:///app.example.com", ""},
	{"/\t/evil.com", ""},
	{"/\n/evil.com", ""},
	{"/x\x00", ""},
	{"/\x7f", ""},
	{"/caf\u00e9", ""},
	{"relative/path", ""},
	{"?rd=x", ""},
	{"https://[::1/", ""},
	{"/" + strings.Repeat("a", maxReturnLen), ""},
}

func TestSafeReturn(t *testing.T) {
	for _, tc := range returnCases {
		got, err := safeReturn(tc.in, appHost, "http", "")
		if tc.want == "" {
			if err == nil {
				t.Errorf("safeReturn(%q) = %q, want refusal", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("safeReturn(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestSafeReturnPort(t *testing.T) {
	if _, err := safeReturn("https://app.example.com:8443/", appHost, "https", "8443"); err != nil {
		t.Fatalf("same port as the public URL refused: %v", err)
	}
	if _, err := safeReturn("https://app.example.com/", appHost, "https", "8443"); err == nil {
		t.Fatal("default port accepted when the gateway listens on 8443")
	}
}

// TestSafeReturnHTTPSPublic: behind an https gateway an absolute return
// URL must be https too, or the sign-in would end on plain HTTP.
func TestSafeReturnHTTPSPublic(t *testing.T) {
	cases := []struct {
		in   string
		want string // "" = refused
	}{
		{"https://app.example.com/x", "https://app.example.com/x"},
		{"HTTPS://app.example.com/", "https://app.example.com/"},
		{"/app/page", "/app/page"},
		{"http://app.example.com/", ""},
		{"HTTP://app.example.com/x", ""},
		{"http://gw.example.com/", ""},
	}
	for _, tc := range cases {
		got, err := safeReturn(tc.in, appHost, "https", "")
		if (tc.want == "") != (err != nil) || got != tc.want {
			t.Errorf("safeReturn(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	// Through the handler: the same refusal with the usual reason.
	h, err := New(Options{
		PublicURL: "https://gw.example.com", Master: make([]byte, 32),
		Sessions: &memSessions{}, Revoker: &memSessions{}, Ledger: &memLedger{},
		Apps:        appsFunc(func(*url.URL) []string { return []string{"op"} }),
		HostAllowed: appHost,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.SafeReturn("http://app.example.com/"); err == nil {
		t.Fatal("SafeReturn accepted http:// behind an https gateway")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", loginURL("http://app.example.com/"), nil))
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), ReasonReturnURLInvalid) {
		t.Fatalf("login with an http rd: %d %s", rec.Code, rec.Body.String())
	}
}

// FuzzSafeReturn: whatever is accepted is a same-site path or an allowed
// host, stays accepted when checked again, and browsers read it the same.
func FuzzSafeReturn(f *testing.F) {
	for _, tc := range returnCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, scheme := range []string{"http", "https"} {
			checkSafeReturn(t, in, scheme)
		}
	})
}

func checkSafeReturn(t *testing.T, in, publicScheme string) {
	t.Helper()
	got, err := safeReturn(in, appHost, publicScheme, "")
	if err != nil {
		return
	}
	for i := 0; i < len(got); i++ {
		if c := got[i]; c < 0x21 || c >= 0x7f || c == '\\' {
			t.Fatalf("accepted %q with byte %q", got, c)
		}
	}
	u, perr := url.Parse(got)
	if perr != nil || u.User != nil || u.Opaque != "" {
		t.Fatalf("accepted %q which parses as %#v (%v)", got, u, perr)
	}
	if strings.HasPrefix(got, "/") {
		if strings.HasPrefix(got, "//") || u.Host != "" {
			t.Fatalf("accepted protocol-relative %q", got)
		}
	} else if (u.Scheme != "http" && u.Scheme != "https") || !appHost(u.Hostname()) || u.Port() != "" {
		t.Fatalf("accepted %q for host %q", got, u.Host)
	} else if publicScheme == "https" && u.Scheme != "https" {
		t.Fatalf("accepted %q behind an https gateway", got)
	}
	again, err := safeReturn(got, appHost, publicScheme, "")
	if err != nil || again != got {
		t.Fatalf("not idempotent: %q -> %q -> %q, %v", in, got, again, err)
	}
}
