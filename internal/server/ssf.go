package server

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/assurance"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/ssf/receiver"
	"github.com/vigil-gw/vigil/internal/ssf/set"
	"github.com/vigil-gw/vigil/internal/ssf/transmitter"
	"github.com/vigil-gw/vigil/internal/store"
)

// PathSSFEvents is where transmitters push SETs to Vigil (RFC 8935).
const PathSSFEvents = "/.vigil/ssf/events"

// newTransmitter builds Vigil's Shared Signals transmitter, which tells
// subscribed apps about revocations and risk. Without subscribers there is
// nothing to serve.
func (s *Server) newTransmitter(cfg *config.Config) error {
	if len(cfg.SSF.Subscribers) == 0 {
		return nil
	}
	signer, jwks, err := setSigner(s.master)
	if err != nil {
		return fmt.Errorf("ssf: %w", err)
	}
	var rcvs []transmitter.Receiver
	for _, sc := range cfg.SSF.Subscribers {
		tok, err := sc.Token.Resolve()
		if err != nil {
			return fmt.Errorf("ssf.subscribers %s: token: %w", sc.Name, err)
		}
		rcvs = append(rcvs, transmitter.Receiver{Name: sc.Name, Audience: sc.Audience, Token: []byte(tok), PushEndpoints: sc.PushEndpoints})
	}
	s.transmitter, err = transmitter.New(transmitter.Options{
		Issuer: cfg.Server.PublicURL, Store: s.db, Signer: signer, JWKS: jwks, Receivers: rcvs,
		Clock: s.opts.Clock, Rand: s.opts.Rand, Logger: s.log.With(slog.String("part", "ssf-transmitter")),
	})
	if err != nil {
		return fmt.Errorf("ssf: %w", err)
	}
	s.ssfOut = &ssfEmitter{t: s.transmitter, issuer: cfg.Server.PublicURL, clock: s.opts.Clock, log: s.log}
	s.emitter = s.ssfOut
	return nil
}

// newReceiver builds the Shared Signals receiver for the configured
// transmitters (identity providers, EDR).
func (s *Server) newReceiver(cfg *config.Config) error {
	if len(cfg.SSF.Transmitters) == 0 {
		return nil
	}
	m := assurance.Receiving{ProviderOf: map[string]string{}, ProviderByIssuer: map[string]string{}}
	for _, p := range cfg.Providers {
		m.ProviderByIssuer[strings.TrimRight(p.Issuer, "/")] = p.Name
	}
	var ts []receiver.Transmitter
	for _, tc := range cfg.SSF.Transmitters {
		t := receiver.Transmitter{Name: tc.Name, Issuer: tc.Issuer, Audience: tc.Audience,
			Keys:    set.RemoteKeys(tc.JWKSURI, s.opts.ProviderClient, s.opts.Clock, time.Minute),
			PollURL: tc.PollURL, PollInterval: tc.PollInterval.D()}
		if t.Audience == "" {
			t.Audience = cfg.Server.PublicURL
		}
		if !tc.PushToken.IsZero() {
			v, err := tc.PushToken.Resolve()
			if err != nil {
				return fmt.Errorf("ssf.transmitters %s: push_token: %w", tc.Name, err)
			}
			t.PushToken = []byte(v)
		}
		if !tc.PollToken.IsZero() {
			v, err := tc.PollToken.Resolve()
			if err != nil {
				return fmt.Errorf("ssf.transmitters %s: poll_token: %w", tc.Name, err)
			}
			t.PollToken = []byte(v)
		}
		prov := tc.Provider
		if prov == "" {
			prov = m.ProviderByIssuer[strings.TrimRight(tc.Issuer, "/")]
		}
		m.ProviderOf[tc.Name] = prov
		ts = append(ts, t)
	}
	var err error
	s.receiver, err = receiver.New(receiver.Options{
		Transmitters: ts, Ledger: s.db, Applier: assurance.SSFApplier{S: s.assure, Map: m},
		HTTPClient: s.opts.ProviderClient, Clock: s.opts.Clock, Logger: s.log.With(slog.String("part", "ssf-receiver")),
	})
	if err != nil {
		return fmt.Errorf("ssf: %w", err)
	}
	return nil
}

// ssfEmitter turns assurance events into CAEP events for subscribers. The
// user is named as the assertion names them (iss: the public URL, sub: the
// user ID) and the session by the assertion's sid.
type ssfEmitter struct {
	t      *transmitter.Transmitter
	issuer string
	clock  func() time.Time
	log    *slog.Logger
}

func (e ssfEmitter) user(userID string) set.Subject {
	return set.IssSub(e.issuer, userID)
}

func (e ssfEmitter) SessionRevoked(ctx context.Context, sess *store.Session, reason string) {
	u := e.user(sess.UserID)
	sub := set.Subject{Format: "complex", User: &u, Session: &set.Subject{Format: "opaque", ID: sess.ID}}
	p := set.SessionRevoked{}
	p.EventTimestamp = e.clock().Unix()
	if reason != "" {
		p.ReasonAdmin = set.Reason{"en": reason}
	}
	e.emit(ctx, transmitter.Event{Type: set.CAEPSessionRevoked, Subject: sub, Payload: p})
}

func (e ssfEmitter) RiskLevelChanged(ctx context.Context, u *store.User, before, after risk.Level, reason string) {
	p := set.RiskLevelChange{Principal: "USER", CurrentLevel: strings.ToUpper(after.String()),
		PreviousLevel: strings.ToUpper(before.String()), RiskReason: reason}
	p.EventTimestamp = e.clock().Unix()
	e.emit(ctx, transmitter.Event{Type: set.CAEPRiskLevelChange, Subject: e.user(u.ID), Payload: p})
}

func (e ssfEmitter) emit(ctx context.Context, ev transmitter.Event) {
	if _, err := e.t.Emit(ctx, ev); err != nil {
		e.log.Warn("queuing a security event failed", "part", "ssf-transmitter", "event", ev.Type, "err", err)
	}
}

// SessionEstablished tells subscribers a user signed in.
func (e ssfEmitter) SessionEstablished(ctx context.Context, sess *store.Session) {
	u := e.user(sess.UserID)
	sub := set.Subject{Format: "complex", User: &u, Session: &set.Subject{Format: "opaque", ID: sess.ID}}
	p := set.SessionEstablished{ACR: sess.Identity.ACR, AMR: sess.Identity.AMR}
	p.EventTimestamp = sess.CreatedAt.Unix()
	e.emit(ctx, transmitter.Event{Type: set.CAEPSessionEstablished, Subject: sub, Payload: p})
}

// AssuranceChanged tells subscribers a user's verified identity
// assurance (NIST IAL) changed.
func (e ssfEmitter) AssuranceChanged(ctx context.Context, userID, previous, current string) {
	if current == previous || current == "" {
		return
	}
	p := set.AssuranceLevelChange{Namespace: "NIST-IAL", CurrentLevel: current, PreviousLevel: previous}
	switch {
	case previous == "" || current > previous: // ial1 < ial2 < ial3
		p.ChangeDirection = "increase"
	default:
		p.ChangeDirection = "decrease"
	}
	p.EventTimestamp = e.clock().Unix()
	e.emit(ctx, transmitter.Event{Type: set.CAEPAssuranceLevelChange, Subject: e.user(userID), Payload: p})
}
