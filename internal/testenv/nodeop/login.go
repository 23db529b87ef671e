package nodeop

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxSteps bounds the pages and redirects one Login or Logout walks through;
// the provider needs at most five.
const maxSteps = 12

// Login signs username in at the provider. resp must show the provider's
// login page, as reached by following the redirects of an authorization
// request with client (whose cookie jar must hold the provider's cookies).
// It submits the login form, then the consent form if the provider asks,
// following the provider's own redirects, and returns the provider's last
// response: the redirect whose Location leaves the provider (normally the
// client's redirect_uri with code and state). The caller follows it and
// closes its body. Login never follows redirects off the provider itself,
// whatever client.CheckRedirect says.
func Login(client *http.Client, resp *http.Response, username string) (*http.Response, error) {
	if username == "" {
		return nil, errors.New("nodeop: empty username")
	}
	logins := 0
	return drive(client, resp, false, func(f form) (url.Values, bool, error) {
		switch f.Values.Get("prompt") {
		case "login":
			// A second login form means the first was rejected: stop, don't loop.
			if logins++; logins > 1 {
				return nil, false, errors.New("the provider asked for the login again")
			}
			v := cloneValues(f.Values)
			v.Set("login", username)
			v.Set("password", "unused") // the dev form requires one and ignores it
			return v, true, nil
		case "consent":
			return f.Values, true, nil
		}
		return nil, false, nil
	})
}

// Logout confirms an RP-initiated logout. resp must show the provider's
// "Do you want to sign-out" page, reached by following the redirects of an
// end_session request with client. It returns the provider's redirect to the
// post_logout_redirect_uri when there is one, else the provider's own
// sign-out success page.
func Logout(client *http.Client, resp *http.Response) (*http.Response, error) {
	return drive(client, resp, true, func(f form) (url.Values, bool, error) {
		if f.ID != "op.logoutForm" {
			return nil, false, nil
		}
		v := cloneValues(f.Values)
		v.Set("logout", "yes") // what the "Yes, sign me out" button sends
		return v, true, nil
	})
}

// filler returns the values to submit for a form it recognises.
type filler func(form) (url.Values, bool, error)

// drive walks the provider's pages: it follows redirects that stay on the
// provider's origin, submits the forms that fill accepts, and stops at the
// first redirect leaving the provider. A page with no form fill accepts is an
// error unless formless is set, in which case that page is returned.
func drive(client *http.Client, resp *http.Response, formless bool, fill filler) (*http.Response, error) {
	if client == nil || resp == nil || resp.Request == nil || resp.Request.URL == nil {
		return nil, errors.New("nodeop: need a client and a response to a request it made")
	}
	origin := resp.Request.URL
	noFollow := *client
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	for step := 0; ; step++ {
		if step == maxSteps {
			resp.Body.Close()
			return nil, fmt.Errorf("nodeop: still at the provider after %d steps", maxSteps)
		}
		here := resp.Request.URL
		if loc := resp.Header.Get("Location"); isRedirect(resp.StatusCode) && loc != "" {
			next, err := here.Parse(loc)
			if err != nil {
				resp.Body.Close()
				return nil, fmt.Errorf("nodeop: bad Location %q: %w", loc, err)
			}
			if !sameOrigin(next, origin) {
				return resp, nil
			}
			drain(resp)
			if resp, err = noFollow.Get(next.String()); err != nil {
				return nil, fmt.Errorf("nodeop: %w", err)
			}
			continue
		}

		body, err := io.ReadAll(io.LimitReader(resp.Body, maxPage+1))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("nodeop: read %s: %w", here, err)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("nodeop: %s answered %s: %s", here, resp.Status, pageText(body))
		}
		forms, err := parseForms(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("nodeop: parse %s: %w", here, err)
		}
		submit, vals, err := pick(forms, fill)
		if err != nil {
			return nil, fmt.Errorf("nodeop: %s: %w", here, err)
		}
		if submit == nil {
			if formless {
				return resp, nil
			}
			return nil, fmt.Errorf("nodeop: no login or consent form at %s: %s", here, pageText(body))
		}
		action, err := here.Parse(submit.Action)
		if err != nil || !sameOrigin(action, origin) || submit.Method != http.MethodPost {
			// Never post a login to anywhere but the provider.
			return nil, fmt.Errorf("nodeop: refusing to submit %s form to %q", submit.Method, submit.Action)
		}
		if resp, err = noFollow.PostForm(action.String(), vals); err != nil {
			return nil, fmt.Errorf("nodeop: %w", err)
		}
	}
}

// pick returns the first form that fill accepts, with its values.
func pick(forms []form, fill filler) (*form, url.Values, error) {
	for i := range forms {
		v, ok, err := fill(forms[i])
		if err != nil {
			return nil, nil, err
		}
		if ok {
			return &forms[i], v, nil
		}
	}
	return nil, nil, nil
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// drain reads a little of a body before closing it so the connection can be reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}
