package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// SMTP sends each message over a new SMTP connection. It is safe for
// concurrent use. Consumers declare their own interface, for example
//
//	type Sender interface{ Send(context.Context, mail.Message) error }
type SMTP struct {
	cfg  Config
	addr string
	now  func() time.Time
	log  *slog.Logger
}

// New validates cfg and returns a sender. now stamps the Date header; log
// receives one debug line per message (the recipient's domain only).
func New(cfg Config, now func() time.Time, log *slog.Logger) (*SMTP, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if now == nil || log == nil {
		return nil, errors.New("mail: clock and logger are required")
	}
	return &SMTP{cfg: cfg, addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)), now: now, log: log}, nil
}

// Send delivers m to the server. Errors are *SendError; match the kind with
// errors.Is(err, mail.ErrAuth) and so on.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	p := &phase{ctx: ctx}
	defer func() {
		if p.stop != nil {
			p.stop()
		}
	}()
	client, err := gomail.NewClient(s.cfg.Host, s.options(p)...)
	if err != nil {
		return &SendError{Kind: ErrConnect, Server: s.addr, Detail: s.scrub(err.Error())}
	}
	start := s.now()
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return s.classifyDial(ctx, err, p)
	}
	// The message is accepted or refused by now; a failed QUIT changes nothing.
	defer func() { _ = client.CloseWithSMTPClient(conn) }()
	if err := client.SendWithSMTPClient(conn, msg); err != nil {
		return s.classifySend(ctx, err)
	}
	s.log.DebugContext(ctx, "mail sent", "to_domain", m.To[strings.LastIndexByte(m.To, '@')+1:],
		"server", s.addr, "duration", s.now().Sub(start))
	return nil
}

// build renders m with go-mail, which encodes headers and bodies.
func (s *SMTP) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.cfg.From); err != nil {
		return nil, &SendError{Kind: ErrInvalidMessage, Detail: "from address refused by go-mail"}
	}
	if err := msg.To(m.To); err != nil {
		return nil, &SendError{Kind: ErrInvalidMessage, Detail: "recipient refused by go-mail"}
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(s.now())
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// options maps the config onto go-mail. Our own dialer and AUTH wrapper
// record how far the exchange got, so failures can be told apart.
func (s *SMTP) options(p *phase) []gomail.Option {
	tlsConf := &tls.Config{ServerName: s.cfg.Host, RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithTLSConfig(tlsConf),
		gomail.WithDialContextFunc(s.dialer(p, tlsConf)),
	}
	switch s.cfg.TLS {
	case TLSImplicit:
		// go-mail skips STARTTLS on an SSL client; the dialer does the TLS.
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuthCustom(&trackedAuth{
			user: s.cfg.Username, pass: s.cfg.Password, host: s.cfg.Host,
			// Config validation allows "none" for loopback hosts only.
			allowPlaintext: s.cfg.TLS == TLSNone, phase: p,
		}))
	}
	return opts
}

func (s *SMTP) dialer(p *phase, tlsConf *tls.Config) func(ctx context.Context, network, addr string) (net.Conn, error) {
	// go-mail formats host:port without brackets, which breaks IPv6
	// literals: dial our own JoinHostPort address instead.
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, s.addr)
		if err != nil {
			return nil, err
		}
		p.connected = true
		// go-mail bounds each step by its timeout but not by the caller's
		// context: closing the connection when that ends unblocks any step.
		p.stop = context.AfterFunc(p.ctx, func() { _ = conn.Close() })
		if s.cfg.TLS != TLSImplicit {
			return conn, nil
		}
		tc := tls.Client(conn, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			p.tlsFailed = true
			_ = conn.Close()
			return nil, err
		}
		return tc, nil
	}
}

// trackedAuth picks PLAIN, or LOGIN when only that is offered, and notes
// that credentials are on their way so that a refusal reads as ErrAuth.
type trackedAuth struct {
	user, pass, host string
	allowPlaintext   bool
	phase            *phase
	inner            smtp.Auth
}

var _ smtp.Auth = (*trackedAuth)(nil)

func (a *trackedAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	a.phase.authStarted = true
	if slices.Contains(server.Auth, "PLAIN") || !slices.Contains(server.Auth, "LOGIN") {
		a.inner = smtp.PlainAuth("", a.user, a.pass, a.host, a.allowPlaintext)
	} else {
		a.inner = smtp.LoginAuth(a.user, a.pass, a.host, a.allowPlaintext)
	}
	return a.inner.Start(server)
}

func (a *trackedAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	return a.inner.Next(fromServer, more)
}
