package mail

import (
	"errors"
	"strings"
	"testing"
)

var injectionCases = []struct {
	name string
	m    Message
}{
	{"CRLF in recipient", Message{To: "a@corp.example\r\nBcc: eve@evil.example", Subject: "s", Text: "t"}},
	{"LF in recipient", Message{To: "a@corp.example\nBcc: eve@evil.example", Subject: "s", Text: "t"}},
	{"two recipients", Message{To: "a@corp.example, eve@evil.example", Subject: "s", Text: "t"}},
	{"display name", Message{To: "Alice <a@corp.example>", Subject: "s", Text: "t"}},
	{"comment", Message{To: "a@corp.example (x)", Subject: "s", Text: "t"}},
	{"not an address", Message{To: "alice", Subject: "s", Text: "t"}},
	{"CRLF in subject", Message{To: "a@corp.example", Subject: "hi\r\nBcc: eve@evil.example", Text: "t"}},
	{"LF in subject", Message{To: "a@corp.example", Subject: "hi\nBcc: eve@evil.example", Text: "t"}},
	{"CR in subject", Message{To: "a@corp.example", Subject: "hi\rBcc: eve@evil.example", Text: "t"}},
	{"line separator in subject", Message{To: "a@corp.example", Subject: "hi\u2028Bcc: x", Text: "t"}},
	{"NUL in subject", Message{To: "a@corp.example", Subject: "hi\x00", Text: "t"}},
	{"invalid UTF-8 subject", Message{To: "a@corp.example", Subject: "hi\xff", Text: "t"}},
	{"long subject", Message{To: "a@corp.example", Subject: strings.Repeat("s", 251), Text: "t"}},
	{"empty subject", Message{To: "a@corp.example", Text: "t"}},
	{"empty text", Message{To: "a@corp.example", Subject: "s"}},
	{"NUL in text", Message{To: "a@corp.example", Subject: "s", Text: "a\x00b"}},
	{"invalid UTF-8 html", Message{To: "a@corp.example", Subject: "s", Text: "t", HTML: "\xff"}},
	{"huge text", Message{To: "a@corp.example", Subject: "s", Text: strings.Repeat("x", maxBodyLen+1)}},
}

func TestMessageValidation(t *testing.T) {
	for _, tc := range injectionCases {
		err := tc.m.validate()
		if !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%s: validate = %v; want ErrInvalidMessage", tc.name, err)
			continue
		}
		if tc.m.Subject != "" && len(tc.m.Subject) > 3 && strings.Contains(err.Error(), tc.m.Subject) {
			t.Errorf("%s: error quotes the subject: %v", tc.name, err)
		}
	}
	ok := Message{To: "alice.o'brien+otp@corp.example", Subject: "Votre code — 確認", Text: "line\r\n.\r\nmore", HTML: "<p>x</p>"}
	if err := ok.validate(); err != nil {
		t.Fatalf("valid message refused: %v", err)
	}
}
