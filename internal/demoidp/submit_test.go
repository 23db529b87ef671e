package demoidp

import (
	"net/url"
	"strings"
	"testing"
)

var formCases = []struct {
	name       string
	page       string
	wantAction string
	wantFields url.Values
	wantErr    bool
}{
	{"login form", `<form method="post" action="/login"><input type="hidden" name="authRequestID" value="abc"><input name="username" value=""><input type="password" name="password"></form>`,
		"http://idp.test/login", url.Values{"authRequestID": {"abc"}, "username": {""}, "password": {""}}, false},
	{"relative action and entities", `<FORM METHOD=POST action="login?x=1&amp;y=2"><input name=a value="&lt;b&gt;"/></FORM>`,
		"http://idp.test/login?x=1&y=2", url.Values{"a": {"<b>"}}, false},
	{"get form skipped", `<form method="get" action="/search"><input name="q"></form><form method="post" action="/login"><input name="id" value="1"></form>`,
		"http://idp.test/login", url.Values{"id": {"1"}}, false},
	{"inputs outside form ignored", `<input name="before" value="x"><form method="post" action="/p"></form><input name="after">`,
		"http://idp.test/p", url.Values{}, false},
	{"no form", `<html><body><p>Sign-in expired</p></body></html>`, "", nil, true},
	{"bad action", `<form method="post" action="http://[::1"></form>`, "", nil, true},
	{"empty", ``, "", nil, true},
}

func TestParseLoginForm(t *testing.T) {
	base, _ := url.Parse("http://idp.test/login?authRequestID=abc")
	for _, tt := range formCases {
		t.Run(tt.name, func(t *testing.T) {
			action, fields, err := parseLoginForm(strings.NewReader(tt.page), base)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if action.String() != tt.wantAction || fields.Encode() != tt.wantFields.Encode() {
				t.Fatalf("got %s %v, want %s %v", action, fields, tt.wantAction, tt.wantFields)
			}
		})
	}
}

func FuzzParseLoginForm(f *testing.F) {
	for _, tt := range formCases {
		f.Add(tt.page)
	}
	p, err := newPages()
	if err != nil {
		f.Fatal(err)
	}
	var sb strings.Builder
	w := &recorder{header: map[string][]string{}, body: &sb}
	if err := p.render(w, 200, pageData{Title: "Sign in", Form: &formData{Action: "/login", AuthRequestID: "id", Users: []string{"alice"}}}); err != nil {
		f.Fatal(err)
	}
	f.Add(sb.String())
	base, _ := url.Parse("http://idp.test/login")
	f.Fuzz(func(t *testing.T, page string) {
		action, fields, err := parseLoginForm(strings.NewReader(page), base)
		if err == nil && (action == nil || fields == nil) {
			t.Fatal("nil result without error")
		}
	})
}
