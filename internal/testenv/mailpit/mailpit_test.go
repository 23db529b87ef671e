package mailpit

import (
	"crypto/tls"
	"errors"
	"net/smtp"
	"strings"
	"testing"
	"time"
)

// TestRoundTrip sends with the standard library's SMTP client, not the
// code under test elsewhere, and reads the message back over the API.
func TestRoundTrip(t *testing.T) {
	s := Start(t)
	msg := "From: sender@example.com\r\nTo: Bob@Example.com\r\nSubject: hello mailpit\r\n\r\nline one\r\n"
	if err := smtp.SendMail(s.SMTPAddr, nil, "sender@example.com", []string{"Bob@Example.com"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	m, err := s.LatestMessage("bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "hello mailpit" || strings.TrimSpace(m.Text) != "line one" || len(m.To) != 1 {
		t.Fatalf("got %+v", m)
	}
	h, err := s.Headers(m.ID)
	if err != nil || h["Subject"][0] != "hello mailpit" {
		t.Fatalf("headers %v, %v", h, err)
	}
	list, err := s.Messages()
	if err != nil || len(list) != 1 {
		t.Fatalf("Messages = %v, %v", list, err)
	}
	s.MessageWait = 200 * time.Millisecond
	if _, err := s.LatestMessage("nobody@example.com"); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("LatestMessage for an unknown recipient: %v", err)
	}
}

func TestStartTLSAndAuth(t *testing.T) {
	s := StartWith(t, Options{TLS: TLSStartTLS, Users: map[string]string{"u": "p4ss"}})
	c, err := smtp.Dial(s.SMTPAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.StartTLS(&tls.Config{ServerName: s.SMTPHost, RootCAs: s.RootCAs}); err != nil {
		t.Fatalf("STARTTLS with the generated certificate: %v", err)
	}
	if err := c.Auth(smtp.PlainAuth("", "u", "wrong", s.SMTPHost)); err == nil {
		t.Fatal("wrong password accepted")
	}
}
