package mail

import (
	"fmt"
	netmail "net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Size limits: generous for notices, small enough to refuse abuse.
const (
	maxSubjectLen = 250     // bytes
	maxBodyLen    = 1 << 20 // bytes, per part
)

// Message is one mail to one recipient.
type Message struct {
	To      string // bare address: "alice@corp.example"
	Subject string // one line
	Text    string // plain-text body (required)
	HTML    string // optional HTML alternative of Text
}

// validate refuses anything that could smuggle headers or break the
// message. Errors name the field, never its content (it may hold a code).
func (m Message) validate() error {
	to := m.To
	if to == "" || strings.ContainsFunc(to, isControl) {
		return invalid("recipient is empty or contains a control character")
	}
	addr, err := netmail.ParseAddress(to)
	if err != nil || addr.Name != "" || addr.Address != to {
		return invalid(fmt.Sprintf("recipient %q is not a bare email address", to))
	}
	switch {
	case m.Subject == "":
		return invalid("subject is empty")
	case len(m.Subject) > maxSubjectLen:
		return invalid(fmt.Sprintf("subject is longer than %d bytes", maxSubjectLen))
	case !utf8.ValidString(m.Subject):
		return invalid("subject is not valid UTF-8")
	case strings.ContainsFunc(m.Subject, isControl):
		return invalid("subject contains a line break or control character")
	case m.Text == "":
		return invalid("text body is empty")
	}
	for _, b := range []struct{ name, v string }{{"text", m.Text}, {"html", m.HTML}} {
		switch {
		case len(b.v) > maxBodyLen:
			return invalid(fmt.Sprintf("%s body is longer than %d bytes", b.name, maxBodyLen))
		case !utf8.ValidString(b.v):
			return invalid(b.name + " body is not valid UTF-8")
		case strings.ContainsRune(b.v, 0):
			return invalid(b.name + " body contains a NUL byte")
		}
	}
	return nil
}

// isControl matches C0/C1 controls and the Unicode line and paragraph
// separators, which some clients render as line breaks.
func isControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

func invalid(detail string) error {
	return &SendError{Kind: ErrInvalidMessage, Detail: detail}
}
