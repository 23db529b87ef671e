package demoidp

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// maxPageBytes bounds how much of a login page SubmitLogin reads.
const maxPageBytes = 1 << 20

// SubmitLogin is for tests (here and in other packages, e.g. gateway
// end-to-end tests): it reads the demo login form from loginPageResp (the
// response that rendered it, typically reached by following the redirects
// of an authorization request), fills in username and password and posts it
// with client, whose cookie jar must hold the cookies of the page request.
// It closes loginPageResp.Body. The returned response is whatever client
// ends on: with default redirect following, the relying party's callback or
// beyond.
func SubmitLogin(client *http.Client, loginPageResp *http.Response, username, password string) (*http.Response, error) {
	if client == nil || loginPageResp == nil || loginPageResp.Request == nil {
		return nil, errors.New("demoidp: SubmitLogin needs a client and a response with its request")
	}
	defer loginPageResp.Body.Close()
	action, fields, err := parseLoginForm(io.LimitReader(loginPageResp.Body, maxPageBytes), loginPageResp.Request.URL)
	if err != nil {
		return nil, fmt.Errorf("demoidp: login page (HTTP %d at %s): %w", loginPageResp.StatusCode, loginPageResp.Request.URL, err)
	}
	fields.Set("username", username)
	fields.Set("password", password)
	return client.PostForm(action.String(), fields)
}

// parseLoginForm finds the first POST form in page and returns its action,
// resolved against base, and its named input values.
func parseLoginForm(page io.Reader, base *url.URL) (*url.URL, url.Values, error) {
	z := html.NewTokenizer(page)
	var (
		action *url.URL
		fields url.Values
	)
	for {
		switch z.Next() {
		case html.ErrorToken:
			if err := z.Err(); err != io.EOF {
				return nil, nil, fmt.Errorf("parse html: %w", err)
			}
			if action == nil {
				return nil, nil, errors.New("no login form found")
			}
			return action, fields, nil
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "form" && action != nil {
				return action, fields, nil
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				attrs[string(k)] = string(v)
			}
			switch string(name) {
			case "form":
				if action != nil || !strings.EqualFold(attrs["method"], "post") {
					continue
				}
				u, err := base.Parse(attrs["action"])
				if err != nil {
					return nil, nil, fmt.Errorf("form action: %w", err)
				}
				action, fields = u, url.Values{}
			case "input":
				if action != nil && attrs["name"] != "" {
					fields.Set(attrs["name"], attrs["value"])
				}
			}
		}
	}
}
