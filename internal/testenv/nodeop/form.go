package nodeop

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// form is one HTML form: its id, method, action and the name/value pairs its
// named input fields would submit as they stand.
type form struct {
	ID     string
	Method string // upper case; GET when absent
	Action string // as written; resolve against the page URL
	Values url.Values
}

// maxPage bounds how much of a provider page is read.
const maxPage = 1 << 20

var errPageTooLarge = errors.New("page larger than 1 MiB")

// parseForms returns the forms of an HTML page in document order. An input
// naming its form with form="id" joins that form, as in browsers; inputs
// outside every form are dropped. Buttons contribute nothing: the caller
// adds what the chosen submit button would send.
func parseForms(r io.Reader) ([]form, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxPage+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxPage {
		return nil, errPageTooLarge
	}
	z := html.NewTokenizer(bytes.NewReader(b))
	var forms []form
	cur := -1 // index of the open <form>, or -1
	type orphan struct{ formID, name, value string }
	var orphans []orphan
	for {
		switch z.Next() {
		case html.ErrorToken:
			if err := z.Err(); err != io.EOF {
				return nil, err
			}
			for _, o := range orphans {
				for i := range forms {
					if forms[i].ID == o.formID {
						forms[i].Values.Add(o.name, o.value)
					}
				}
			}
			return forms, nil
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "form":
				forms = append(forms, form{
					ID:     attr(tok, "id"),
					Method: strings.ToUpper(attrOr(tok, "method", "get")),
					Action: attr(tok, "action"),
					Values: url.Values{},
				})
				cur = len(forms) - 1
			case "input":
				name := attr(tok, "name")
				typ := strings.ToLower(attr(tok, "type"))
				if name == "" || typ == "submit" || typ == "button" || typ == "image" || typ == "reset" {
					continue
				}
				if (typ == "checkbox" || typ == "radio") && !hasAttr(tok, "checked") {
					continue
				}
				switch owner := attr(tok, "form"); {
				case owner != "":
					orphans = append(orphans, orphan{owner, name, attr(tok, "value")})
				case cur >= 0:
					forms[cur].Values.Add(name, attr(tok, "value"))
				}
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "form" {
				cur = -1
			}
		}
	}
}

func attr(t html.Token, key string) string { return attrOr(t, key, "") }

func attrOr(t html.Token, key, def string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return def
}

func hasAttr(t html.Token, key string) bool {
	for _, a := range t.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// pageText is the visible text of a page (no style or script), squeezed to
// one short line, for error messages.
func pageText(b []byte) string {
	z := html.NewTokenizer(bytes.NewReader(b))
	var words []string
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			s := strings.Join(words, " ")
			if len(s) > 300 {
				s = s[:300] + "..."
			}
			return s
		case html.StartTagToken:
			if name, _ := z.TagName(); string(name) == "style" || string(name) == "script" {
				skip++
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); (string(name) == "style" || string(name) == "script") && skip > 0 {
				skip--
			}
		case html.TextToken:
			if skip == 0 {
				words = append(words, strings.Fields(string(z.Text()))...)
			}
		}
	}
}
