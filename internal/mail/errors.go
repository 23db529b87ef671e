package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"syscall"

	gomail "github.com/wneessen/go-mail"
)

// Kinds of failure, for errors.Is. Only ErrInvalidMessage is the caller's
// fault; the others are for the operator (the user sees "try again later").
var (
	ErrInvalidMessage = errors.New("invalid message")
	ErrConnect        = errors.New("cannot reach the SMTP server")
	ErrTLS            = errors.New("TLS with the SMTP server failed")
	ErrAuth           = errors.New("SMTP authentication failed")
	ErrRejected       = errors.New("the SMTP server refused the message")
)

// SendError is every error of Send. Detail is for operators: it never holds
// the password, the subject or the body.
type SendError struct {
	Kind   error  // one of the Err* kinds above
	Server string // host:port; empty for ErrInvalidMessage
	Detail string
	cause  error // a context error, kept for errors.Is
}

func (e *SendError) Error() string {
	var b strings.Builder
	b.WriteString("mail: ")
	b.WriteString(e.Kind.Error())
	if e.Server != "" {
		b.WriteString(" (" + e.Server + ")")
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

// Is matches the Kind.
func (e *SendError) Is(target error) bool { return target == e.Kind }

// Unwrap exposes a context cancellation or deadline, nothing else: other
// causes may quote the server's dialogue.
func (e *SendError) Unwrap() error { return e.cause }

// phase records how far a send got, to tell refused connections, TLS
// failures and rejected credentials apart.
type phase struct {
	ctx         context.Context // the caller's: closes the connection when done
	stop        func() bool     // ends that watch
	connected   bool            // TCP connection made
	tlsFailed   bool            // implicit TLS handshake failed
	authStarted bool            // credentials were about to be sent
}

// classifyDial turns an error from dialing (connect, greeting, TLS, AUTH)
// into a SendError.
func (s *SMTP) classifyDial(ctx context.Context, err error, p *phase) *SendError {
	e := &SendError{Server: s.addr}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return interrupted(e, ctxErr)
	}
	switch {
	case !p.connected:
		e.Kind = ErrConnect
		var dnsErr *net.DNSError
		var netErr net.Error
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			e.Detail = "connection refused"
		case errors.As(err, &dnsErr):
			e.Detail = "host not found"
		case errors.As(err, &netErr) && netErr.Timeout():
			e.Detail = "connection timed out"
		default:
			e.Detail = s.scrub(err.Error())
		}
	case p.authStarted:
		e.Kind = ErrAuth
		e.Detail = "the server refused the credentials of user " + fmt.Sprintf("%q", s.cfg.Username)
		var tpErr *textproto.Error
		if errors.As(err, &tpErr) {
			e.Detail += fmt.Sprintf(" (%d %s)", tpErr.Code, s.scrub(tpErr.Msg))
		}
	case p.tlsFailed || isTLSError(err):
		e.Kind = ErrTLS
		e.Detail = s.scrub(err.Error())
	default:
		e.Kind = ErrConnect
		e.Detail = "SMTP greeting failed: " + s.scrub(err.Error())
	}
	return e
}

// interrupted reports a send the caller's context ended, whatever the
// step: the server may be fine, so the kind is ErrConnect.
func interrupted(e *SendError, ctxErr error) *SendError {
	e.Kind, e.Detail, e.cause = ErrConnect, "interrupted: "+ctxErr.Error(), ctxErr
	return e
}

// isTLSError spots certificate and handshake failures, and go-mail's
// refusal to continue when the server offers no STARTTLS.
func isTLSError(err error) bool {
	var (
		verr  *tls.CertificateVerificationError
		rerr  tls.RecordHeaderError
		aerr  tls.AlertError
		uaErr x509.UnknownAuthorityError
		hnErr x509.HostnameError
		ciErr x509.CertificateInvalidError
	)
	return errors.As(err, &verr) || errors.As(err, &rerr) || errors.As(err, &aerr) ||
		errors.As(err, &uaErr) || errors.As(err, &hnErr) || errors.As(err, &ciErr) ||
		strings.Contains(err.Error(), "STARTTLS") || strings.Contains(err.Error(), "tls: ")
}

// classifySend turns an error from the mail transaction into a SendError.
func (s *SMTP) classifySend(ctx context.Context, err error) *SendError {
	e := &SendError{Kind: ErrRejected, Server: s.addr}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return interrupted(e, ctxErr)
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		// go-mail's text names the failed command, the server's reply and
		// the recipient; never the message content.
		e.Detail = s.scrub(se.Error())
		return e
	}
	e.Detail = s.scrub(err.Error())
	return e
}

// scrub removes the password, in clear or inside a base64 AUTH payload,
// and line breaks from text that may echo the SMTP dialogue.
func (s *SMTP) scrub(text string) string {
	if p := s.cfg.Password; p != "" {
		text = strings.ReplaceAll(text, p, "[redacted]")
		for _, blob := range []string{"\x00" + s.cfg.Username + "\x00" + p, p} {
			text = strings.ReplaceAll(text, base64.StdEncoding.EncodeToString([]byte(blob)), "[redacted]")
		}
	}
	return strings.Join(strings.Fields(text), " ")
}
