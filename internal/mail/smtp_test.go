package mail

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/testenv/mailpit"
)

var sentAt = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

func newSender(t *testing.T, cfg Config) (*SMTP, *bytes.Buffer) {
	t.Helper()
	if cfg.From == "" {
		cfg.From = "Vigil <no-reply@corp.example>"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	var logs bytes.Buffer
	s, err := New(cfg, func() time.Time { return sentAt }, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	return s, &logs
}

func plainConfig(mp *mailpit.Server) Config {
	return Config{Host: mp.SMTPHost, Port: mp.SMTPPort, TLS: TLSNone}
}

func TestSendArrives(t *testing.T) {
	mp := mailpit.Start(t)
	s, logs := newSender(t, plainConfig(mp))
	msg := Message{
		To:      "Alice.Smith@corp.example",
		Subject: "Your Vigil code — 確認",
		Text:    "Your code is 482913.\r\n.\r\nMAIL FROM:<eve@evil.example>\r\nIt expires in 10 minutes.\n",
		HTML:    "<p>Your code is <b>482913</b>.</p>",
	}
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	got, err := mp.LatestMessage("alice.smith@corp.example")
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != msg.Subject || len(got.To) != 1 || got.To[0].Address != msg.To ||
		got.From == nil || got.From.Address != "no-reply@corp.example" || got.From.Name != "Vigil" {
		t.Fatalf("got %+v", got)
	}
	// The dot line must not end the DATA early (SMTP smuggling).
	wantText := strings.ReplaceAll(msg.Text, "\r\n", "\n")
	if strings.ReplaceAll(got.Text, "\r\n", "\n") != wantText || !strings.Contains(got.HTML, "<b>482913</b>") {
		t.Fatalf("body %q / %q", got.Text, got.HTML)
	}
	if !got.Date.Equal(sentAt) {
		t.Errorf("Date %v; want the injected clock's %v", got.Date, sentAt)
	}
	if list, _ := mp.Messages(); len(list) != 1 {
		t.Fatalf("%d messages stored; want 1", len(list))
	}
	h, err := mp.Headers(got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h["Bcc"]) != 0 || len(h["User-Agent"]) != 0 || len(h["Message-Id"]) != 1 {
		t.Errorf("unexpected headers %v", h)
	}
	if l := logs.String(); strings.Contains(l, "482913") || strings.Contains(l, "Vigil code") || !strings.Contains(l, "to_domain=corp.example") {
		t.Errorf("log line %q", l)
	}
}

func TestSendRefusesInjection(t *testing.T) {
	mp := mailpit.Start(t)
	s, _ := newSender(t, plainConfig(mp))
	for _, tc := range injectionCases {
		if err := s.Send(context.Background(), tc.m); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%s: Send = %v; want ErrInvalidMessage", tc.name, err)
		}
	}
	if list, err := mp.Messages(); err != nil || len(list) != 0 {
		t.Fatalf("refused messages reached the server: %v, %v", list, err)
	}
}

func TestSendTLSModes(t *testing.T) {
	const user, pass = "vigil", "correct-horse-battery"
	tests := []struct {
		name    string
		server  mailpit.Options
		cfg     func(mp *mailpit.Server) Config
		wantErr error // nil: the message must arrive
	}{
		{"starttls with auth", mailpit.Options{TLS: mailpit.TLSStartTLS, Users: map[string]string{user: pass}},
			func(mp *mailpit.Server) Config {
				return Config{Host: mp.SMTPHost, Port: mp.SMTPPort, RootCAs: mp.RootCAs, Username: user, Password: pass}
			}, nil},
		{"implicit tls", mailpit.Options{TLS: mailpit.TLSImplicit},
			func(mp *mailpit.Server) Config {
				return Config{Host: mp.SMTPHost, Port: mp.SMTPPort, RootCAs: mp.RootCAs, TLS: TLSImplicit}
			}, nil},
		{"plain with auth on loopback", mailpit.Options{Users: map[string]string{user: pass}},
			func(mp *mailpit.Server) Config {
				return Config{Host: mp.SMTPHost, Port: mp.SMTPPort, TLS: TLSNone, Username: user, Password: pass}
			}, nil},
		{"starttls required but not offered", mailpit.Options{},
			func(mp *mailpit.Server) Config { return Config{Host: mp.SMTPHost, Port: mp.SMTPPort} }, ErrTLS},
		{"untrusted certificate (starttls)", mailpit.Options{TLS: mailpit.TLSStartTLS},
			func(mp *mailpit.Server) Config { return Config{Host: mp.SMTPHost, Port: mp.SMTPPort} }, ErrTLS},
		{"untrusted certificate (tls)", mailpit.Options{TLS: mailpit.TLSImplicit},
			func(mp *mailpit.Server) Config {
				return Config{Host: mp.SMTPHost, Port: mp.SMTPPort, TLS: TLSImplicit}
			}, ErrTLS},
		{"wrong password", mailpit.Options{TLS: mailpit.TLSStartTLS, Users: map[string]string{user: pass}},
			func(mp *mailpit.Server) Config {
				return Config{Host: mp.SMTPHost, Port: mp.SMTPPort, RootCAs: mp.RootCAs, Username: user, Password: "wrong-Pa55word"}
			}, ErrAuth},
		{"wrong password, plain loopback", mailpit.Options{Users: map[string]string{user: pass}},
			func(mp *mailpit.Server) Config {
				return Config{Host: mp.SMTPHost, Port: mp.SMTPPort, TLS: TLSNone, Username: user, Password: "wrong-Pa55word"}
			}, ErrAuth},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mp := mailpit.StartWith(t, tc.server)
			cfg := tc.cfg(mp)
			s, _ := newSender(t, cfg)
			err := s.Send(context.Background(), Message{To: "bob@corp.example", Subject: "hello", Text: "body 123456"})
			if tc.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if m, err := mp.LatestMessage("bob@corp.example"); err != nil || m.Subject != "hello" {
					t.Fatalf("message not received: %v %v", m, err)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Send = %v; want %v", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), cfg.Password) && cfg.Password != "" {
				t.Fatalf("error reveals the password: %v", err)
			}
			if strings.Contains(err.Error(), "123456") {
				t.Fatalf("error reveals the body: %v", err)
			}
			if list, _ := mp.Messages(); len(list) != 0 {
				t.Fatalf("message delivered despite %v", err)
			}
			t.Logf("error as the operator sees it: %v", err)
		})
	}
}

func TestSendConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s, _ := newSender(t, Config{Host: "127.0.0.1", Port: port, TLS: TLSNone, Username: "u", Password: "topsecret-pw"})
	err = s.Send(context.Background(), Message{To: "bob@corp.example", Subject: "s", Text: "t"})
	if !errors.Is(err, ErrConnect) || !strings.Contains(err.Error(), "connection refused") ||
		!strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(port)) || strings.Contains(err.Error(), "topsecret-pw") {
		t.Fatalf("Send = %v; want a clear connection-refused error", err)
	}
}

func TestSendHonoursContext(t *testing.T) {
	// A listener that accepts and never greets: only the context ends the wait.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	s, _ := newSender(t, Config{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, TLS: TLSNone})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.Send(ctx, Message{To: "bob@corp.example", Subject: "s", Text: "t"})
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrConnect) {
		t.Fatalf("Send = %v; want ErrConnect wrapping the deadline", err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("Send took %v despite a 200ms deadline", d)
	}
}

func BenchmarkBuild(b *testing.B) {
	s, err := New(Config{Host: "localhost", TLS: TLSNone, From: "v@corp.example"}, time.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	m := Message{To: "alice@corp.example", Subject: "Your code", Text: "Your code is 123456.", HTML: "<p>123456</p>"}
	b.ReportAllocs()
	for b.Loop() {
		if err := m.validate(); err != nil {
			b.Fatal(err)
		}
		if _, err := s.build(m); err != nil {
			b.Fatal(err)
		}
	}
}
