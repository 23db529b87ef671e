package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/vigil-gw/vigil/internal/authn"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/gateway"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/policy"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/store"
)

// sessionVerifications gives the verification flow the request's session
// and records verifications on it and on its user.
type sessionVerifications struct {
	s          *Server
	cookieName string
}

var _ authn.Verifications = sessionVerifications{}

func (v sessionVerifications) Current(r *http.Request) (string, *identity.Identity, error) {
	c, err := r.Cookie(v.cookieName)
	if err != nil || c.Value == "" {
		return "", nil, nil
	}
	sess, err := v.s.sessions.Lookup(r.Context(), c.Value)
	if errors.Is(err, session.ErrNoSession) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	// The whole identity, as the store has it: the cache keeps only the
	// claims policies read, and Record writes this identity back.
	full, err := v.s.db.GetSession(r.Context(), sess.ID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return "", nil, nil
		}
		return "", nil, err
	}
	return full.ID, &full.Identity, nil
}

// Record puts the verification on the session, then on the user, so that
// the user's next session starts with it. The session is what this request
// needs: failing to keep it on the user only costs a later re-verification,
// so that failure is logged, not returned.
func (v sessionVerifications) Record(ctx context.Context, sessionID string, id identity.Identity) error {
	// UpdateIdentity runs the OnRevoke hooks: cached assertions are dropped.
	sess, err := v.s.sessions.UpdateIdentity(ctx, sessionID, id)
	if err != nil {
		return err
	}
	if id.Verification == nil {
		return nil // nothing to keep; never clear the user's on a session edit
	}
	previous := ""
	if u, err := v.s.db.GetUser(ctx, sess.UserID); err == nil && u.Verification != nil {
		previous = u.Verification.Level
	}
	if err := v.s.db.SetUserVerification(ctx, sess.UserID, id.Verification); err != nil {
		v.s.log.Warn("keeping the verification on the user failed; their next session starts unverified",
			"part", "verify", "user", sess.UserID, "err", err)
	}
	// The person proved who they are just now: what the detectors found
	// before is answered. Failing to clear it only costs another step-up.
	at := id.Verification.AuthTime
	if at.IsZero() {
		at = id.Verification.VerifiedAt
	}
	// Token times have whole seconds: a finding within the verification's
	// second counts as before it.
	at = at.Truncate(time.Second).Add(time.Second - time.Nanosecond)
	if err := v.s.assure.Reverified(ctx, sess.UserID, at); err != nil {
		v.s.log.Warn("clearing risk after a verification failed", "part", "verify", "user", sess.UserID, "err", err)
	}
	if v.s.ssfOut != nil {
		v.s.ssfOut.AssuranceChanged(ctx, sess.UserID, previous, id.Verification.Level)
	}
	return nil
}

// sessionHints mints login hints for verifiers with login_hint:
// assertion: the session's own assertion, with the verifier's issuer as
// audience (so no app accepts it, and the verifier accepts no other).
type sessionHints struct {
	s          *Server
	cookieName string
}

var _ authn.HintMinter = sessionHints{}

func (h sessionHints) MintHint(r *http.Request, sessionID, audience string) (string, error) {
	c, err := r.Cookie(h.cookieName)
	if err != nil {
		return "", errors.New("login hint: no session cookie")
	}
	sess, err := h.s.sessions.Lookup(r.Context(), c.Value)
	if err != nil {
		return "", fmt.Errorf("login hint: %w", err)
	}
	if sess.ID != sessionID {
		return "", errors.New("login hint: the session changed")
	}
	return h.s.signer.Mint(sess, audience, h.s.opts.Clock())
}

// StepUpFor evaluates the policy of the app behind u for id and reports
// the verification that would let the user in, if any.
func (a appProviders) StepUpFor(r *http.Request, u *url.URL, id *identity.Identity) authn.StepUp {
	rt := a.st.routes.Match(u.Host, u.Path)
	if rt == nil || rt.Verifier == "" || id == nil {
		return authn.StepUp{}
	}
	now := a.now()
	in := policy.Input{Identity: id, IP: a.st.clientIP.Of(r), Now: now}
	// Risk: when the user's level calls for a step-up that can help, the
	// verification must be fresh (max_age) and of the configured acr.
	var riskUp *authn.StepUp
	helps := false
	if a.assure != nil && !rt.Risk.Off {
		userID := session.UserID(id.Provider, id.Subject)
		in.Risk = a.assure.Level(userID, now)
		helps = in.Risk > risk.Low && a.assure.StepUpHelps(userID, in.Risk, now)
		if helps {
			act := rt.Risk.Medium
			if in.Risk == risk.High {
				act = rt.Risk.High
			}
			if act == config.RiskActionStepUp {
				riskUp = &authn.StepUp{Verifier: rt.Verifier, MaxAge: rt.Risk.StepUpMaxAge, ACR: rt.Risk.StepUpACR}
			}
		}
	}
	d := rt.Policy.Evaluate(&in)
	needed, level, maxAge, acr := d.StepUp()
	if riskUp == nil && helps && gateway.RiskFailed(&d) {
		// The policy asks for lower risk than the user's (a risk
		// selector): the gateway sent them here, so a fresh verification.
		riskUp = &authn.StepUp{Verifier: rt.Verifier, MaxAge: rt.Risk.StepUpMaxAge, ACR: rt.Risk.StepUpACR}
	}
	if riskUp != nil {
		// The policy's own needs still apply; the stricter age wins.
		riskUp.Level = level
		if maxAge > 0 && maxAge < riskUp.MaxAge {
			riskUp.MaxAge = maxAge
		}
		if len(riskUp.ACR) == 0 {
			riskUp.ACR = acr
		}
		return *riskUp
	}
	if !needed {
		return authn.StepUp{}
	}
	return authn.StepUp{Verifier: rt.Verifier, Level: level, MaxAge: maxAge, ACR: acr}
}
