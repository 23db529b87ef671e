package verifier

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/vigil-gw/vigil/internal/evidence/email"
	"github.com/vigil-gw/vigil/internal/oidcop"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

// HintVerifier checks a Vigil identity assertion sent as login_hint: the
// gateway's account (email and name) the verified person must match. A
// *vigilauth.Verifier whose Audience is this verifier's issuer implements
// it.
type HintVerifier interface {
	Verify(ctx context.Context, token string) (*vigilauth.Claims, error)
}

var _ HintVerifier = (*vigilauth.Verifier)(nil)

// maxClaimedName bounds the account name kept for the comparison.
const maxClaimedName = 256

// errHintUnverified is what the relying party learns of any bad hint; the
// log gets the detail.
var errHintUnverified = &oidcop.AuthError{Code: oidcop.InvalidRequest, Description: "login_hint could not be verified"}

// claimed is the identity the relying party says the person is.
type claimed struct{ email, name string }

// claimedIdentity reads login_hint: empty, an email address (no name to
// compare), or a signed Vigil assertion, which must verify. A hint that
// looks signed is never read as anything else: a forged or stale one
// fails the authorization rather than starting an unbound verification.
func (v *Verifier) claimedIdentity(ctx context.Context, hint string) (claimed, error) {
	switch {
	case hint == "":
		return claimed{}, nil
	case !looksLikeJWS(hint):
		addr, err := email.NormalizeAddress(hint)
		if err != nil {
			return claimed{}, &oidcop.AuthError{Code: oidcop.InvalidRequest, Description: "login_hint is not an email address"}
		}
		return claimed{email: addr}, nil
	case v.cfg.Hints == nil:
		v.cfg.Logger.WarnContext(ctx, "verifier: signed login_hint refused: no gateway is trusted (idv.gateway_url)")
		return claimed{}, errHintUnverified
	}
	c, err := v.cfg.Hints.Verify(ctx, hint)
	if err != nil {
		// vigilauth's errors name the failed check, never the claims.
		v.cfg.Logger.WarnContext(ctx, "verifier: signed login_hint refused", "err", err,
			"keyset", errors.Is(err, vigilauth.ErrKeySet))
		return claimed{}, errHintUnverified
	}
	var out claimed
	if c.Email != "" {
		if out.email, err = email.NormalizeAddress(c.Email); err != nil {
			return claimed{}, &oidcop.AuthError{Code: oidcop.InvalidRequest, Description: "login_hint's email is not an email address"}
		}
	}
	out.name = strings.TrimSpace(c.Name)
	if len(out.name) > maxClaimedName || !utf8.ValidString(out.name) {
		return claimed{}, &oidcop.AuthError{Code: oidcop.InvalidRequest, Description: "login_hint's name is too long or not UTF-8"}
	}
	return out, nil
}

// looksLikeJWS reports whether s has the shape of a compact JWS: three
// dot-separated base64url parts. An email address never does ('@').
func looksLikeJWS(s string) bool {
	if strings.Count(s, ".") != 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
