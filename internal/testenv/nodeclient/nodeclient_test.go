package nodeclient

import (
	"strings"
	"testing"
)

var readyCases = []struct {
	name, line string
	port       int
	want       string // "" means an error
}{
	{"ok", "READY http://127.0.0.1:4242\n", 4242, "http://127.0.0.1:4242"},
	{"crlf", "READY http://127.0.0.1:4242\r\n", 4242, "http://127.0.0.1:4242"},
	{"other port", "READY http://127.0.0.1:4243\n", 4242, ""},
	{"not loopback", "READY http://10.0.0.1:4242\n", 4242, ""},
	{"localhost name", "READY http://localhost:4242\n", 4242, ""},
	{"https", "READY https://127.0.0.1:4242\n", 4242, ""},
	{"path", "READY http://127.0.0.1:4242/x\n", 4242, ""},
	{"query", "READY http://127.0.0.1:4242?a=b\n", 4242, ""},
	{"userinfo", "READY http://u:p@127.0.0.1:4242\n", 4242, ""},
	{"no prefix", "http://127.0.0.1:4242\n", 4242, ""},
	{"error text", "rp.mjs: discovery failed\n", 4242, ""},
	{"empty", "", 4242, ""},
}

func TestParseReady(t *testing.T) {
	for _, tc := range readyCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseReady(tc.line, tc.port)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("parseReady(%q) = %q, want an error", tc.line, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseReady(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
			}
		})
	}
}

func FuzzParseReady(f *testing.F) {
	for _, tc := range readyCases {
		f.Add(tc.line, tc.port)
	}
	f.Fuzz(func(t *testing.T, line string, port int) {
		got, err := parseReady(line, port)
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "http://127.0.0.1:") || strings.ContainsAny(got[len("http://127.0.0.1:"):], "/?#@") {
			t.Fatalf("parseReady(%q, %d) accepted %q", line, port, got)
		}
	})
}

func TestScriptEnv(t *testing.T) {
	ok := Options{Issuer: "http://127.0.0.1:9000", ClientID: "rp", ClientSecret: "s", Port: 5000}
	cases := []struct {
		name    string
		tweak   func(*Options)
		wantErr string
	}{
		{"ok", func(*Options) {}, ""},
		{"localhost http", func(o *Options) { o.Issuer = "http://localhost:9000/sub" }, ""},
		{"ipv6 loopback http", func(o *Options) { o.Issuer = "http://[::1]:9000" }, ""},
		{"https anywhere", func(o *Options) { o.Issuer = "https://op.example.com" }, ""},
		{"public client", func(o *Options) { o.ClientSecret = "" }, ""},
		{"http elsewhere", func(o *Options) { o.Issuer = "http://op.example.com" }, "must be https"},
		{"relative issuer", func(o *Options) { o.Issuer = "/op" }, "not an absolute URL"},
		{"no client", func(o *Options) { o.ClientID = "" }, "ClientID"},
		{"no port", func(o *Options) { o.Port = 0 }, "PickPort"},
		{"port too big", func(o *Options) { o.Port = 70000 }, "PickPort"},
		{"no openid", func(o *Options) { o.Scopes = []string{"email"} }, "openid"},
		{"bad scope", func(o *Options) { o.Scopes = []string{"openid", "a b"} }, "bad scope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := ok
			tc.tweak(&o)
			env, err := scriptEnv(o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			joined := strings.Join(env, "\n")
			for _, want := range []string{"RP_ISSUER=" + o.Issuer, "RP_CLIENT_ID=rp", "RP_WATCH_STDIN=1", "RP_SCOPES=openid email profile"} {
				if !strings.Contains(joined, want) {
					t.Errorf("env lacks %q:\n%s", want, joined)
				}
			}
		})
	}
}

func TestRedirectURI(t *testing.T) {
	if got := RedirectURI(5000); got != "http://127.0.0.1:5000/callback" {
		t.Fatalf("RedirectURI = %q", got)
	}
	p := PickPort(t)
	if p <= 0 || p > 65535 {
		t.Fatalf("PickPort = %d", p)
	}
}
