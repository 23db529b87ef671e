package authn

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/vigil-gw/vigil/internal/session"
)

// providerCallTimeout bounds the token and userinfo calls.
const providerCallTimeout = 15 * time.Second

// safeErrorCode is what a provider's error parameter must look like to be
// shown to the user (RFC 6749 error codes are lower-case with underscores).
var safeErrorCode = regexp.MustCompile(`^[a-z_]{1,64}$`)

// callback completes a login: it checks the transaction, exchanges the
// code, verifies the ID token and hands the identity to the session creator.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) (err error) {
	// A failed verification is reported once its transaction is known.
	var verifying *verifyTx
	defer func() {
		if err != nil && verifying != nil && h.onVerifyFailure != nil {
			reason := ReasonInternal
			var fl *failure
			if errors.As(err, &fl) {
				reason = fl.Reason
			}
			h.onVerifyFailure(r.Context(), verifying.Session, reason)
		}
	}()
	q := r.URL.Query()
	state := q.Get("state")
	if perr := q.Get("error"); perr != "" {
		f := fail(ReasonProviderError, fmt.Errorf("provider returned error %q", truncate(perr, 64)))
		if safeErrorCode.MatchString(perr) {
			f.Detail = perr
		}
		// The provider ended this login: drop its cookie and keep its rd.
		if state != "" {
			name := h.codec.name(state)
			if c, err := r.Cookie(name); err == nil {
				http.SetCookie(w, h.codec.cookie(name, "", -1))
				if tx, err := h.codec.open(name, c.Value); err == nil {
					f.Return = tx.Return
					f = withProvider(f, h.txProvider(tx))
					verifying = tx.Verify
				}
			}
		}
		return f
	}
	if state == "" {
		return fail(ReasonStateMissing, nil)
	}
	name := h.codec.name(state)
	c, err := r.Cookie(name)
	if err != nil {
		// Another login is in flight but not this one: a forged or
		// mixed-up state. None at all: cookie lost, blocked or expired.
		if len(h.codec.loginCookies(r)) > 0 {
			return fail(ReasonStateMismatch, errors.New("no login cookie for this state"))
		}
		return fail(ReasonLoginCookieMissing, nil)
	}
	// One attempt per transaction, whatever happens next.
	http.SetCookie(w, h.codec.cookie(name, "", -1))
	tx, err := h.codec.open(name, c.Value)
	if err != nil {
		return fail(ReasonLoginCookieInvalid, err)
	}
	p := h.txProvider(tx)
	if subtle.ConstantTimeCompare([]byte(tx.State), []byte(state)) != 1 {
		// A mismatched state is someone else's transaction: not this
		// user's failure to verify.
		return withProvider(withReturn(fail(ReasonStateMismatch, nil), tx.Return), p)
	}
	verifying = tx.Verify
	f := func(reason string, status int, err error) error {
		return withProvider(withReturn(failStatus(reason, status, err), tx.Return), p)
	}
	if !h.now().Before(tx.Expires) {
		return f(ReasonLoginExpired, http.StatusBadRequest, nil)
	}
	if p == nil {
		return f(ReasonProviderUnknown, http.StatusBadRequest, errors.New("provider no longer configured"))
	}
	// The ledger key is a hash: the state itself is never stored.
	sum := sha256.Sum256([]byte(state))
	first, err := h.ledger.MarkUsed(r.Context(), "authn-state:"+hex.EncodeToString(sum[:]), tx.Expires)
	if err != nil {
		return f(ReasonLedgerFailed, http.StatusServiceUnavailable, err)
	}
	if !first {
		return f(ReasonStateReplayed, http.StatusBadRequest, nil)
	}
	// RFC 9207: when the provider names itself, it must be the one we
	// sent the user to (mix-up defence).
	if iss := q.Get("iss"); iss != "" && iss != p.issuer {
		return f(ReasonProviderIssuer, http.StatusBadRequest, fmt.Errorf("iss parameter %q", truncate(iss, 200)))
	}
	code := q.Get("code")
	if code == "" {
		return f(ReasonCodeMissing, http.StatusBadRequest, nil)
	}
	d, err := p.discover(r.Context())
	if err != nil {
		return f(ReasonProviderUnreachable, http.StatusBadGateway, err)
	}
	res, err := h.complete(r.Context(), p, d, tx, code)
	if err != nil {
		var fl *failure
		if errors.As(err, &fl) {
			return withProvider(withReturn(fl, tx.Return), p)
		}
		return f(ReasonInternal, http.StatusInternalServerError, err)
	}
	if tx.Verify != nil {
		return h.finishVerify(w, r, p, tx, res.claims)
	}
	sid, _ := res.claims["sid"].(string)
	id := p.mapIdentity(res.claims)
	cookie, err := h.sessions.Create(r.Context(), id, SessionMeta{Request: r, IDToken: res.rawIDToken, SID: sid})
	if err != nil || cookie == nil {
		return f(ReasonSessionFailed, http.StatusServiceUnavailable, err)
	}
	http.SetCookie(w, cookie)
	// The Vigil user id, never the provider's sub: subjects are often
	// e-mail addresses, and logs must carry no personal data.
	h.log.Info("login", "provider", p.name, "user", session.UserID(id.Provider, id.Subject))
	rd, err := h.SafeReturn(tx.Return)
	if err != nil {
		rd = "/" // the app set changed since /start
	}
	http.Redirect(w, r, rd, http.StatusSeeOther)
	return nil
}

// txProvider is the provider, or for a verification the verifier, a
// transaction was started with; nil when it is no longer configured.
func (h *Handler) txProvider(tx *transaction) *Provider {
	if tx.Verify != nil {
		if h.verifications == nil {
			return nil
		}
		return h.verifiers[tx.Provider]
	}
	return h.providers[tx.Provider]
}

type loginResult struct {
	claims     map[string]any
	rawIDToken string
}

// complete exchanges the code, verifies the ID token and merges userinfo.
func (h *Handler) complete(ctx context.Context, p *Provider, d *discovered, tx *transaction, code string) (*loginResult, error) {
	ctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, p.client), providerCallTimeout)
	defer cancel()
	tok, err := p.oauth2Config(d, h.redirectURL()).Exchange(ctx, code, oauth2.VerifierOption(tx.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			status := http.StatusBadRequest
			if re.Response != nil && re.Response.StatusCode >= 500 {
				status = http.StatusBadGateway
			}
			// Only the status and the RFC 6749 code: bodies may echo input.
			return nil, failStatus(ReasonCodeExchangeFailed, status,
				fmt.Errorf("token endpoint: status %d, error %q", statusOf(re), truncate(re.ErrorCode, 64)))
		}
		return nil, failStatus(ReasonCodeExchangeFailed, http.StatusBadGateway, errors.New("token endpoint unreachable"))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fail(ReasonIDTokenMissing, nil)
	}
	vt, err := p.verifyIDToken(ctx, d, raw, tx.Nonce, tok.AccessToken)
	if err != nil {
		return nil, err
	}
	claims := map[string]any{}
	if err := json.Unmarshal(vt.rawClaims, &claims); err != nil {
		return nil, fail(ReasonIDTokenMalformed, err)
	}
	if d.userinfo != "" && tok.AccessToken != "" {
		ui, err := d.oidc.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return nil, failStatus(ReasonUserinfoFailed, http.StatusBadGateway, errors.New("userinfo request failed"))
		}
		var body json.RawMessage
		if err := ui.Claims(&body); err != nil {
			return nil, failStatus(ReasonUserinfoFailed, http.StatusBadGateway, err)
		}
		sub, err := mergeUserinfo(claims, body)
		if err != nil {
			return nil, failStatus(ReasonUserinfoFailed, http.StatusBadGateway, err)
		}
		if subtle.ConstantTimeCompare([]byte(sub), []byte(vt.claims.Subject)) != 1 {
			return nil, fail(ReasonUserinfoSubMismatch, nil)
		}
	}
	return &loginResult{claims: claims, rawIDToken: raw}, nil
}

func statusOf(re *oauth2.RetrieveError) int {
	if re.Response == nil {
		return 0
	}
	return re.Response.StatusCode
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
