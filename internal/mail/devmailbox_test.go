package mail

import (
	"context"
	"strings"
	"testing"
)

func TestDevMailbox(t *testing.T) {
	var out strings.Builder
	d := NewDevMailbox(&out)
	if err := d.Send(context.Background(), Message{To: "alice@example.com", Subject: "Your code", Text: "Code: 123456\n"}); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "To: alice@example.com") || !strings.Contains(s, "Code: 123456") || !strings.Contains(s, "not sent") {
		t.Errorf("dev mailbox wrote:\n%s", s)
	}
	if err := d.Send(context.Background(), Message{To: "alice@example.com", Subject: "a\r\nBcc: x@evil.example", Text: "t"}); err == nil {
		t.Error("header injection accepted")
	}
}
