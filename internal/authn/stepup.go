package authn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/ida"
	"github.com/vigil-gw/vigil/internal/identity"
)

// PathVerify starts an identity verification at the app's verifier.
const PathVerify = pathPrefix + "verify"

// Verifications reads and updates the signed-in user's session for the
// verification flow.
type Verifications interface {
	// Current returns the request's session ID and identity; "" and nil
	// when the request has no valid session.
	Current(r *http.Request) (sessionID string, id *identity.Identity, err error)
	// Record replaces the session's identity with id (the current one
	// plus its new Verification).
	Record(ctx context.Context, sessionID string, id identity.Identity) error
}

// StepUp is what the app behind a return URL asks of a verification for
// the signed-in user; Verifier is "" when the app has none or needs none.
type StepUp struct {
	Verifier string
	Level    string        // least NIST IAL, or ""
	MaxAge   time.Duration // greatest age of the verification, or 0
	ACR      []string      // acceptable acr values from the policy, or nil
}

// StepUps finds the step-up the app behind returnURL needs from id; r is
// the request to /.vigil/verify (for the client address).
type StepUps interface {
	StepUpFor(r *http.Request, returnURL *url.URL, id *identity.Identity) StepUp
}

// HintMinter mints the login_hint for verifiers configured with
// login_hint: assertion. The hint travels through the browser, so it may
// carry only the user's own identity.
type HintMinter interface {
	// MintHint returns a short-lived signed assertion of the request's
	// session, which must be sessionID, for audience (the verifier's
	// issuer).
	MintHint(r *http.Request, sessionID, audience string) (string, error)
}

// verifierConf is what a verifier adds to a provider.
type verifierConf struct {
	acrValues []string
	acrLevels map[string]string
	// assertionHint: send a minted assertion as login_hint, not the email.
	assertionHint bool
	// requireName: the verified name must be the account's.
	requireName bool
}

// verifyTx is the verification part of a login transaction.
type verifyTx struct {
	Session string   `json:"sid"`
	Level   string   `json:"lv,omitempty"`
	MaxAge  int64    `json:"ma,omitempty"` // seconds; 0: none sent
	ACR     []string `json:"acr,omitempty"`
}

// NewVerifier builds an identity verifier: a provider with acr handling.
func NewVerifier(ctx context.Context, cfg config.Verifier, opts ProviderOptions) (*Provider, error) {
	switch cfg.LoginHint {
	case "", config.LoginHintEmail, config.LoginHintAssertion:
	default:
		return nil, fmt.Errorf("verifier %s: login_hint: want email or assertion, got %q", cfg.Name, cfg.LoginHint)
	}
	for a, l := range cfg.ACRLevels {
		if _, ok := ida.Rank(l); !ok || a == "" {
			return nil, fmt.Errorf("verifier %s: acr_levels: %q maps to unknown level %q", cfg.Name, a, l)
		}
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{oidc.ScopeOpenID}
	}
	p, err := NewProvider(ctx, config.Provider{
		Name: cfg.Name, Title: cfg.Name, Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		Scopes: scopes, SigningAlgs: cfg.SigningAlgs, ClockSkew: cfg.ClockSkew,
	}, opts)
	if err != nil {
		return nil, err
	}
	p.verifier = &verifierConf{acrValues: slices.Clone(cfg.ACRValues), acrLevels: cfg.ACRLevels,
		assertionHint: cfg.LoginHint == config.LoginHintAssertion, requireName: cfg.RequireNameMatch}
	return p, nil
}

// verify starts a verification for the signed-in user at the verifier of
// the app behind rd.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request) error {
	rd, rdURL, err := h.returnOrRoot(r.URL.Query().Get("rd"))
	if err != nil {
		return err
	}
	if h.verifications == nil || h.stepUps == nil {
		return withReturn(fail(ReasonNoVerifier, nil), rd)
	}
	sid, id, err := h.verifications.Current(r)
	if err != nil {
		return withReturn(failStatus(ReasonSessionFailed, http.StatusServiceUnavailable, err), rd)
	}
	if id == nil {
		http.Redirect(w, r, loginURL(rd), http.StatusSeeOther)
		return nil
	}
	su := h.stepUps.StepUpFor(r, rdURL, id)
	if su.Verifier == "" {
		return withReturn(fail(ReasonVerificationNotNeeded, nil), rd)
	}
	p := h.verifiers[su.Verifier]
	if p == nil {
		return withReturn(fail(ReasonNoVerifier, fmt.Errorf("verifier %q not configured", su.Verifier)), rd)
	}
	acr := su.ACR
	if len(acr) == 0 {
		acr = p.verifier.acrValues
	}
	vt := &verifyTx{Session: sid, Level: su.Level, ACR: acr}
	if su.MaxAge > 0 {
		vt.MaxAge = int64(math.Ceil(su.MaxAge.Seconds()))
	}
	opts := []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("claims", verifyClaimsParam(acr))}
	if len(acr) > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", strings.Join(acr, " ")))
	}
	if vt.MaxAge > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("max_age", strconv.FormatInt(vt.MaxAge, 10)))
	}
	switch {
	case p.verifier.assertionHint:
		// No fallback to the bare email: the verifier would then verify
		// someone without comparing names, silently weaker.
		hint, err := h.hints.MintHint(r, sid, p.issuer)
		if err != nil {
			return withReturn(failStatus(ReasonVerificationHintFailed, http.StatusServiceUnavailable, err), rd)
		}
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", hint))
	case id.Email != "":
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", id.Email))
	}
	return h.begin(w, r, p, rd, vt, opts...)
}

// verifyClaimsParam is the OIDC claims request for verified_claims in the
// ID token, with acr essential when there are values to ask for.
func verifyClaimsParam(acr []string) string {
	null := json.RawMessage("null")
	idt := map[string]any{
		"verified_claims": map[string]any{
			// evidence is requested as an array of evidence requests (IDA's
			// request schema); this asks for each one's type and methods.
			"verification": map[string]any{"trust_framework": null, "assurance_level": null, "time": null,
				"evidence": []any{map[string]any{"type": map[string]any{}, "check_details": []any{map[string]any{"check_method": null}},
					"document_details": map[string]any{"issuer": map[string]any{"country_code": null}}}}},
			"claims": map[string]any{"given_name": null, "family_name": null, "birthdate": null},
		},
	}
	if len(acr) > 0 {
		idt["acr"] = map[string]any{"essential": true, "values": acr}
	}
	b, _ := json.Marshal(map[string]any{"id_token": idt}) // cannot fail: plain maps and strings
	return string(b)
}

// finishVerify checks a verifier's verified ID token claims against the
// transaction and records the verification on the session.
func (h *Handler) finishVerify(w http.ResponseWriter, r *http.Request, p *Provider, tx *transaction, claims map[string]any) error {
	vt := tx.Verify
	f := func(reason string, status int, err error) error {
		return withProvider(withReturn(failStatus(reason, status, err), tx.Return), p)
	}
	sid, id, err := h.verifications.Current(r)
	if err != nil {
		return f(ReasonSessionFailed, http.StatusServiceUnavailable, err)
	}
	if id == nil || sid != vt.Session {
		// Signed out, or another user signed in, since the verification
		// started: it must not land on someone else's session.
		return f(ReasonVerificationSessionChanged, http.StatusBadRequest, nil)
	}
	v, err := h.verification(p, vt, claims, id.Name)
	if err != nil {
		var fl *failure
		if errors.As(err, &fl) {
			return withProvider(withReturn(fl, tx.Return), p)
		}
		return f(ReasonVerificationFailed, http.StatusBadRequest, err)
	}
	nid := *id
	nid.Verification = v
	if err := h.verifications.Record(r.Context(), sid, nid); err != nil {
		return f(ReasonSessionFailed, http.StatusInternalServerError, err)
	}
	h.log.Info("identity verified", "verifier", p.name, "level", v.Level, "trust_framework", v.TrustFramework,
		"verified_at", v.VerifiedAt, "auth_time", v.AuthTime)
	rd, err := h.SafeReturn(tx.Return)
	if err != nil {
		rd = "/"
	}
	http.Redirect(w, r, rd, http.StatusSeeOther)
	return nil
}

// verification checks acr and auth_time as the RP must (an authorization
// URL can be edited) and builds the Verification from verified_claims, or
// from acr via acr_levels. account is the signed-in account's name, for a
// verifier that requires the verified name to be it.
func (h *Handler) verification(p *Provider, vt *verifyTx, claims map[string]any, account string) (*identity.Verification, error) {
	now := h.now()
	v := &identity.Verification{Provider: p.name}
	v.Subject, _ = claims["sub"].(string)
	v.ACR, _ = claims["acr"].(string)
	v.AMR = stringsClaim(claims["amr"], 32)
	if at, ok := claims["auth_time"].(float64); ok && at > 0 && at < 1e11 && !math.IsNaN(at) {
		v.AuthTime = time.Unix(int64(at), 0).UTC()
	}
	if vt.MaxAge > 0 {
		if v.AuthTime.IsZero() {
			return nil, fail(ReasonVerificationAuthTimeMissing, nil)
		}
		if now.Sub(v.AuthTime) > time.Duration(vt.MaxAge)*time.Second+p.skew {
			return nil, fail(ReasonVerificationTooOld, fmt.Errorf("auth_time is %s old", now.Sub(v.AuthTime).Round(time.Second)))
		}
	}
	if v.AuthTime.After(now.Add(p.skew)) {
		return nil, fail(ReasonVerificationTooOld, errors.New("auth_time in the future"))
	}
	mapped := p.verifier.acrLevels[v.ACR]
	if len(vt.ACR) > 0 && !slices.Contains(vt.ACR, v.ACR) &&
		(vt.Level == "" || !ida.AtLeast(mapped, vt.Level)) {
		return nil, fail(ReasonVerificationACRInsufficient, fmt.Errorf("acr %q", truncate(v.ACR, 100)))
	}
	if raw, ok := claims["verified_claims"]; ok {
		b, err := json.Marshal(raw)
		if err != nil {
			return nil, fail(ReasonVerificationClaimsInvalid, err)
		}
		list, err := ida.ParseVerifiedClaims(b)
		if err != nil || len(list) == 0 {
			return nil, fail(ReasonVerificationClaimsInvalid, err)
		}
		// The strongest NIST verification counts; without one, the first.
		best := -1
		for i, vc := range list {
			tf, level, _, _ := ida.Assurance(vc)
			if best < 0 || tf == ida.TrustFrameworkNIST80063A && ida.AtLeast(level, v.Level) && !(v.TrustFramework == tf && level == v.Level) {
				best = i
				v.TrustFramework, v.Level = tf, level
			}
		}
		if err := p.verifier.checkName(account, &list[best].Claims); err != nil {
			return nil, err
		}
		_, _, at, methods := ida.Assurance(list[best])
		v.VerifiedAt, v.Methods = at.UTC(), methods
		if c := ida.DocumentCountry(list[best]); len(c) <= 3 {
			v.DocumentCountry = c
		}
		if at.IsZero() {
			v.VerifiedAt = time.Time{}
		}
		if v.VerifiedAt.After(now.Add(p.skew)) {
			return nil, fail(ReasonVerificationClaimsInvalid, errors.New("verification time in the future"))
		}
		return v, nil
	}
	if mapped == "" {
		return nil, fail(ReasonVerificationACRInsufficient, fmt.Errorf("no verified_claims and acr %q maps to no level", truncate(v.ACR, 100)))
	}
	if err := p.verifier.checkName(account, topLevelNames(claims)); err != nil {
		return nil, err
	}
	v.TrustFramework, v.Level, v.VerifiedAt = ida.TrustFrameworkNIST80063A, mapped, v.AuthTime
	return v, nil
}
