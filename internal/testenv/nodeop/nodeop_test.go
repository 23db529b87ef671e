package nodeop

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

var readyCases = []struct {
	line, want string
	ok         bool
}{
	{"READY http://127.0.0.1:4242\n", "http://127.0.0.1:4242", true},
	{"READY http://127.0.0.1:4242/\r\n", "http://127.0.0.1:4242", true},
	{"READY http://127.0.0.1\n", "", false},
	{"READY https://127.0.0.1:1\n", "", false},
	{"READY http://example.com:80\n", "", false},
	{"READY http://127.0.0.1:1/path\n", "", false},
	{"READY http://u:p@127.0.0.1:1\n", "", false},
	{"READY http://127.0.0.1:1?q=1\n", "", false},
	{"ready http://127.0.0.1:1\n", "", false},
	{"oidc-provider WARNING: x\n", "", false},
	{"", "", false},
}

func TestParseReady(t *testing.T) {
	for _, tc := range readyCases {
		got, err := parseReady(tc.line)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseReady(%q) = %q, %v; want %q ok=%v", tc.line, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzParseReady(f *testing.F) {
	for _, tc := range readyCases {
		f.Add(tc.line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		got, err := parseReady(line)
		if err == nil && !strings.HasPrefix(got, "http://127.0.0.1:") {
			t.Fatalf("accepted issuer %q", got)
		}
	})
}

func TestOpConfig(t *testing.T) {
	good := Client{ID: "c", Secret: "s", RedirectURIs: []string{"http://127.0.0.1:1/cb"}}
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"defaults", Options{Clients: []Client{good}, Users: map[string]User{"a": {}}}, ""},
		{"missing secret", Options{Clients: []Client{{ID: "c", RedirectURIs: good.RedirectURIs}}}, "required"},
		{"bad alg", Options{Clients: []Client{{ID: "c", Secret: "s", RedirectURIs: good.RedirectURIs, IDTokenAlg: "HS256"}}}, "HS256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := opConfig(tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Clients []map[string]any          `json:"clients"`
				Users   map[string]map[string]any `json:"users"`
			}
			if err := json.Unmarshal([]byte(s), &got); err != nil {
				t.Fatal(err)
			}
			c := got.Clients[0]
			if c["id_token_signed_response_alg"] != "ES256" || c["token_endpoint_auth_method"] != "client_secret_basic" {
				t.Fatalf("client defaults: %v", c)
			}
			if u := got.Users["a"]; u["email_verified"] != true || u["groups"] == nil {
				t.Fatalf("user defaults: %v", u)
			}
		})
	}
}

// TestLoginRefuses checks the two stops that keep Login from looping or
// posting a login anywhere but the provider.
func TestLoginRefuses(t *testing.T) {
	other := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(other.Close)
	pages := map[string]string{
		"/offsite": `<form method="post" action="` + other.URL + `/steal"><input type="hidden" name="prompt" value="login"></form>`,
		"/again":   `<form method="post" action="/again"><input type="hidden" name="prompt" value="login"></form>`,
		"/error":   `<h1>oops! something went wrong</h1>`,
	}
	op := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
			return
		}
		io.WriteString(w, pages[r.URL.Path])
	}))
	t.Cleanup(op.Close)
	for path, want := range map[string]string{"/offsite": "refusing", "/again": "login again", "/error": "something went wrong"} {
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		resp, err := client.Get(op.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Login(client, resp, "alice"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", path, err, want)
		}
	}
}

// TestStartRejectsBadClient shows a bad registration fails Start with the
// provider's own reason instead of surfacing mid-flow.
func TestStartRejectsBadClient(t *testing.T) {
	ft := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() { // Fatalf ends this goroutine via runtime.Goexit, as in a real test
		defer close(done)
		Start(ft, Options{Clients: []Client{{ID: "c", Secret: "s", RedirectURIs: []string{"ftp://x/cb"}}}})
	}()
	<-done
	if !strings.Contains(ft.msg, "redirect_uris must only contain web uris") {
		t.Fatalf("Start failure = %q", ft.msg)
	}
}

// fatalTB records the first Fatalf instead of failing the enclosing test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
