package nodeop

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

var formCases = []struct {
	name string
	page string
	want []form
}{
	{"no forms", `<p>hello</p>`, nil},
	{"dev login", `<form autocomplete="off" action="/interaction/abc/login" method="post">
  <input type="hidden" name="prompt" value="login"/>
  <input required type="text" name="login" placeholder="Enter any login" autofocus="on">
  <input required type="password" name="password" placeholder="and password">
  <button type="submit" class="login login-submit">Sign-in</button></form>`,
		[]form{{"", "POST", "/interaction/abc/login", url.Values{"prompt": {"login"}, "login": {""}, "password": {""}}}}},
	{"logout, button outside the form", `<form id="op.logoutForm" method="post" action="/session/end/confirm"><input type="hidden" name="xsrf" value="x&amp;y"/></form>
  <button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes</button>`,
		[]form{{"op.logoutForm", "POST", "/session/end/confirm", url.Values{"xsrf": {"x&y"}}}}},
	{"input joins a form by id", `<form id="a" action="/a"></form><input name="k" value="v" form="a"><input name="stray">`,
		[]form{{"a", "GET", "/a", url.Values{"k": {"v"}}}}},
	{"unchecked boxes and buttons send nothing", `<form method=POST action=/x><input type=checkbox name=c><input type=checkbox name=d value=on checked><input type=submit name=s value=go></form>`,
		[]form{{"", "POST", "/x", url.Values{"d": {"on"}}}}},
	{"two forms", `<form action=/1><input name=a value=1></form><form action=/2><input name=a value=2></form>`,
		[]form{{"", "GET", "/1", url.Values{"a": {"1"}}}, {"", "GET", "/2", url.Values{"a": {"2"}}}}},
	{"unclosed form", `<form action=/u method=post><input name=n value=1>`,
		[]form{{"", "POST", "/u", url.Values{"n": {"1"}}}}},
}

func TestParseForms(t *testing.T) {
	for _, tc := range formCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseForms(strings.NewReader(tc.page))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseFormsTooLarge(t *testing.T) {
	if _, err := parseForms(strings.NewReader(strings.Repeat("a", maxPage+1))); err != errPageTooLarge {
		t.Fatalf("err = %v, want errPageTooLarge", err)
	}
}

func FuzzParseForms(f *testing.F) {
	for _, tc := range formCases {
		f.Add(tc.page)
	}
	f.Fuzz(func(t *testing.T, page string) {
		forms, err := parseForms(strings.NewReader(page))
		if err != nil {
			return
		}
		for _, fm := range forms {
			if fm.Values == nil || (fm.Method != strings.ToUpper(fm.Method)) {
				t.Fatalf("bad form %+v", fm)
			}
		}
		_ = pageText([]byte(page))
	})
}

func TestPageText(t *testing.T) {
	page := `<html><head><style>body{color:red}</style><script>var x=1</script></head>
<body><h1>oops!  something   went wrong</h1><pre>error: invalid_request</pre></body></html>`
	if got, want := pageText([]byte(page)), "oops! something went wrong error: invalid_request"; got != want {
		t.Fatalf("pageText = %q, want %q", got, want)
	}
}
