package assurance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/audit"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/ssf/receiver"
	"github.com/vigil-gw/vigil/internal/ssf/set"
	"github.com/vigil-gw/vigil/internal/store"
)

// SSFFactorLifetime is how long a received event's risk factor counts
// unless cleared: an identity provider's word is not forgotten overnight.
const SSFFactorLifetime = 7 * 24 * time.Hour

// Receiving maps received events' subjects to users: which configured
// provider a transmitter speaks for, and each provider's issuer.
type Receiving struct {
	// ProviderOf names the provider whose users a transmitter's subjects
	// name, by transmitter name.
	ProviderOf map[string]string
	// ProviderByIssuer names providers by their issuer, for iss_sub subjects.
	ProviderByIssuer map[string]string
}

// SSFApplier carries out received security events.
type SSFApplier struct {
	S   *Service
	Map Receiving
}

var _ receiver.Applier = SSFApplier{}

// Apply ends sessions and adds or clears risk factors for one SET. An
// event about someone who never signed in here is accepted and changes
// nothing but the audit log.
func (a SSFApplier) Apply(ctx context.Context, from *receiver.Transmitter, t *set.SET, effects []receiver.Effect) error {
	s := a.S
	now := s.clock()
	actor := "ssf:" + from.Name
	for _, e := range effects {
		if e.Action == receiver.ActionNone {
			continue
		}
		users, err := a.users(ctx, from, e.Subject)
		if err != nil {
			return err
		}
		s.o.Audit.Write(&audit.Record{Time: now, Kind: "ssf", Decision: e.Action, Rule: t.Event,
			Reasons: []string{e.Reason, "jti " + t.ID, fmt.Sprintf("%d user(s) matched", len(users))}, Actor: actor, User: strings.Join(users, ",")})
		switch e.Action {
		case receiver.ActionRevokeSessions:
			if err := a.revoke(ctx, from, e, users, actor); err != nil {
				return err
			}
		case receiver.ActionRisk:
			for _, u := range users {
				// The ID is the event's: a SET applied twice (a retry after
				// a failure elsewhere) counts once.
				sum := sha256.Sum256([]byte(from.Issuer + "\x00" + t.ID + "\x00" + e.Kind + "\x00" + u))
				f := store.RiskFactor{ID: "ssf-" + hex.EncodeToString(sum[:12]), UserID: u, Kind: e.Kind, Severity: e.Severity, Reason: e.Reason, Source: actor,
					Evidence: map[string]string{"event": t.Event, "jti": t.ID, "transmitter": from.Name}, At: now, ExpiresAt: now.Add(SSFFactorLifetime)}
				if err := s.AddFactor(ctx, f); err != nil && !errors.Is(err, store.ErrConflict) {
					return err
				}
			}
		case receiver.ActionClearRisk:
			for _, u := range users {
				if _, err := s.o.Store.ClearRiskFactors(ctx, u, []string{e.Kind}, now, actor); err != nil {
					return err
				}
				before, after := s.o.Engine.Clear(u, []string{e.Kind}, now, actor)
				s.levelChanged(ctx, u, before, after, e.Reason)
			}
		}
	}
	return nil
}

func (a SSFApplier) revoke(ctx context.Context, from *receiver.Transmitter, e receiver.Effect, users []string, actor string) error {
	s := a.S
	if e.Session != "" {
		provider := a.Map.ProviderOf[from.Name]
		ss, err := s.o.Store.SessionsBySID(ctx, provider, e.Session)
		if err != nil {
			return err
		}
		for _, x := range ss {
			if len(users) > 0 && !contains(users, x.UserID) {
				continue // the event's user and session disagree: end only what both name
			}
			if _, err := s.revokeSession(ctx, x.ID, e.Reason, actor); err != nil && !errors.Is(err, admin.ErrNotFound) {
				return err
			}
		}
		return nil
	}
	for _, u := range users {
		if _, err := s.revokeUser(ctx, u, e.Reason, actor); err != nil {
			return err
		}
	}
	return nil
}

// users finds the users a subject names.
func (a SSFApplier) users(ctx context.Context, from *receiver.Transmitter, sub set.Subject) ([]string, error) {
	var out []string
	add := func(id string) {
		if id != "" && !contains(out, id) {
			out = append(out, id)
		}
	}
	var walk func(x set.Subject, depth int) error
	walk = func(x set.Subject, depth int) error {
		if depth > 2 {
			return nil
		}
		switch x.Format {
		case "iss_sub":
			p := a.Map.ProviderByIssuer[strings.TrimRight(x.Iss, "/")]
			if p == "" && strings.TrimRight(x.Iss, "/") == strings.TrimRight(from.Issuer, "/") {
				p = a.Map.ProviderOf[from.Name]
			}
			if p != "" && x.Sub != "" {
				add(session.UserID(p, x.Sub))
			}
		case "email":
			us, err := a.S.o.Store.UsersByEmail(ctx, x.Email)
			if err != nil {
				return err
			}
			want := a.Map.ProviderOf[from.Name]
			for _, u := range us {
				// An email names the transmitter's provider's user when it
				// has one; any provider's otherwise.
				if want == "" || u.Provider == want {
					add(u.ID)
				}
			}
		case "aliases":
			for _, y := range x.Identifiers {
				if err := walk(y, depth+1); err != nil {
					return err
				}
			}
		case "complex":
			if x.User != nil {
				return walk(*x.User, depth+1)
			}
		}
		return nil
	}
	if err := walk(sub, 0); err != nil {
		return nil, err
	}
	return out, nil
}

func contains(l []string, v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}
