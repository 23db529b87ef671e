package verifier

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/vigil-gw/vigil/internal/ida"
	"github.com/vigil-gw/vigil/internal/store"
)

// IDTokenClaims implements oidcop.ClaimsSource.
func (v *Verifier) IDTokenClaims(ctx context.Context, subject, clientID string, scopes []string, claimsRequest json.RawMessage) (map[string]any, error) {
	return v.claims(ctx, subject, clientID, scopes, claimsRequest, false)
}

// UserinfoClaims implements oidcop.ClaimsSource.
func (v *Verifier) UserinfoClaims(ctx context.Context, subject, clientID string, scopes []string, claimsRequest json.RawMessage) (map[string]any, error) {
	return v.claims(ctx, subject, clientID, scopes, claimsRequest, true)
}

// claims returns verified_claims filtered by the request (omitted when
// nothing satisfies it), plus email and email_verified with scope email.
func (v *Verifier) claims(ctx context.Context, subject, clientID string, scopes []string, claimsRequest json.RawMessage, userinfo bool) (map[string]any, error) {
	out := map[string]any{}
	if slices.Contains(scopes, "email") {
		if addr, ok := v.recent.get(subject, clientID); ok {
			out["email"], out["email_verified"] = addr, true
		}
	}
	if len(claimsRequest) == 0 {
		return out, nil
	}
	cr, err := ida.ParseClaimsRequest(claimsRequest)
	if err != nil {
		// A malformed verified_claims request is one nothing satisfies:
		// omit the claim rather than fail the token request.
		v.cfg.Logger.InfoContext(ctx, "verifier: claims request ignored", "client", clientID, "error", err)
		return out, nil
	}
	reqs := cr.IDToken
	if userinfo {
		reqs = cr.UserInfo
	}
	if len(reqs) == 0 {
		return out, nil
	}
	p, err := v.db.GetPerson(ctx, subject)
	if errors.Is(err, store.ErrNotFound) {
		return out, nil // an email-rung subject has no verified claims
	}
	if err != nil {
		return nil, err
	}
	if len(p.VerifiedClaims) == 0 {
		return out, nil
	}
	held, err := ida.ParseVerifiedClaims(p.VerifiedClaims)
	if err != nil {
		return nil, err
	}
	if got := ida.FilterAll(held, reqs, v.cfg.Clock()); len(got) > 0 {
		if len(got) == 1 {
			out["verified_claims"] = got[0]
		} else {
			out["verified_claims"] = got
		}
	}
	return out, nil
}

// recentEmails remembers the verified address behind each subject and
// client for as long as tokens from that authorization can be redeemed:
// the op's auth requests, codes and tokens are in memory too.
type recentEmails struct {
	mu   sync.Mutex
	now  func() time.Time
	byID map[string]recentEmail
}

type recentEmail struct {
	addr    string
	expires time.Time
}

// recentTTL covers the code and access-token lifetimes of oidcop.
const recentTTL = 15 * time.Minute

// maxRecent bounds the map, like oidcop bounds its pending requests.
const maxRecent = 10000

func newRecentEmails(now func() time.Time) *recentEmails {
	return &recentEmails{now: now, byID: map[string]recentEmail{}}
}

func (r *recentEmails) put(subject, clientID, addr string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if len(r.byID) >= maxRecent {
		for k, e := range r.byID {
			if now.After(e.expires) {
				delete(r.byID, k)
			}
		}
	}
	if len(r.byID) < maxRecent {
		r.byID[subject+"\x00"+clientID] = recentEmail{addr: addr, expires: now.Add(recentTTL)}
	}
}

func (r *recentEmails) get(subject, clientID string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.byID[subject+"\x00"+clientID]
	if !ok || r.now().After(e.expires) {
		return "", false
	}
	return e.addr, true
}
