package email_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"regexp"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/email"
	"github.com/vigil-gw/vigil/internal/mail"
	"github.com/vigil-gw/vigil/internal/testenv/mailpit"
)

// codeInMail finds the code in the text the way a user reads it.
var codeInMail = regexp.MustCompile(`code is (\d{6})\b`)

// TestEndToEnd issues a code, mails it through a real SMTP server, reads it
// back from the server's API and checks it; then shows that guessing is
// locked out after MaxAttempts.
func TestEndToEnd(t *testing.T) {
	mp := mailpit.Start(t)
	sender, err := mail.New(mail.Config{Host: mp.SMTPHost, Port: mp.SMTPPort, TLS: mail.TLSNone, From: "Vigil <no-reply@corp.example>"},
		time.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	codes, err := email.New(email.Config{Key: []byte("e2e test key, thirty-two bytes!!"), AllowedDomains: []string{"corp.example"}},
		email.NewMemory(), time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	issueAndMail := func(vid, addr string) {
		t.Helper()
		code, expires, err := codes.Issue(ctx, vid, addr)
		if err != nil {
			t.Fatal(err)
		}
		err = sender.Send(ctx, mail.Message{
			To:      addr,
			Subject: "Your Vigil verification code",
			Text:    fmt.Sprintf("Your code is %s. It expires at %s.\n", code, expires.UTC().Format(time.Kitchen)),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	readCode := func(addr string) string {
		t.Helper()
		m, err := mp.LatestMessage(addr)
		if err != nil {
			t.Fatal(err)
		}
		match := codeInMail.FindStringSubmatch(m.Text)
		if match == nil {
			t.Fatalf("no code in %q", m.Text)
		}
		return match[1]
	}

	t.Run("code from the mailbox verifies", func(t *testing.T) {
		issueAndMail("v-alice", "alice@corp.example")
		code := readCode("alice@corp.example")
		if err := codes.Check(ctx, "v-alice", " alice@CORP.example", code[:3]+" "+code[3:]); err != nil {
			t.Fatalf("Check with the mailed code: %v", err)
		}
		if err := codes.Check(ctx, "v-alice", "alice@corp.example", code); email.ReasonOf(err) != email.ReasonCodeUsed {
			t.Fatalf("replay: %v", err)
		}
	})

	t.Run("brute force is locked out", func(t *testing.T) {
		issueAndMail("v-mallory", "bob@corp.example")
		code := readCode("bob@corp.example")
		tries := 0
		for guess := 0; guess < 1_000_000; guess++ {
			g := fmt.Sprintf("%06d", guess)
			if g == code {
				continue // the attacker does not know it; skipping keeps the count exact
			}
			tries++
			err := codes.Check(ctx, "v-mallory", "bob@corp.example", g)
			if email.ReasonOf(err) == email.ReasonLockedOut {
				break
			}
			if email.ReasonOf(err) != email.ReasonCodeInvalid {
				t.Fatalf("guess %s: %v", g, err)
			}
		}
		if tries != email.DefaultMaxAttempts {
			t.Fatalf("locked out after %d guesses; want %d", tries, email.DefaultMaxAttempts)
		}
		if err := codes.Check(ctx, "v-mallory", "bob@corp.example", code); email.ReasonOf(err) != email.ReasonLockedOut {
			t.Fatalf("the real code after lockout: %v", err)
		}
		if _, _, err := codes.Issue(ctx, "v-other", "bob@corp.example"); email.ReasonOf(err) != email.ReasonLockedOut {
			t.Fatalf("a fresh code for the locked mailbox: %v", err)
		}
	})

	t.Run("other domains get no mail", func(t *testing.T) {
		if _, _, err := codes.Issue(ctx, "v-eve", "eve@evil.example"); email.ReasonOf(err) != email.ReasonDomainNotAllowed {
			t.Fatalf("Issue for another domain: %v", err)
		}
	})
}
