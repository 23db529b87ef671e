package verifier

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/vigil-gw/vigil/internal/evidence/dg2"
	"github.com/vigil-gw/vigil/internal/evidence/email"
	"github.com/vigil-gw/vigil/internal/evidence/vault"
	"github.com/vigil-gw/vigil/internal/ida"
	"github.com/vigil-gw/vigil/internal/keys"
	"github.com/vigil-gw/vigil/internal/oidcop"
	"github.com/vigil-gw/vigil/internal/store"
)

// Key-derivation purposes. Changing one orphans what it protects.
const (
	purposeOTP      = "vigil verifier email otp v1"
	purposeDocument = "vigil verifier document key v1"
	purposeSubject  = "vigil verifier email subject v1"
	purposeChip     = "vigil verifier chip pairing v1"
)

// browserCookie binds auth requests to the browser (oidcop.Provider.Bind).
const browserCookie = "vigil_verifier_browser"

// Verifier is the identity-verification OpenID Provider. It is an
// http.Handler for every path below its issuer.
type Verifier struct {
	cfg     Config
	op      *oidcop.Provider
	db      Store
	codes   *email.Codes
	vault   *vault.Vault
	docKey  []byte
	subKey  []byte
	chipKey []byte
	// rungs are the supported rungs of Ladder, lowest first.
	rungs []string
	// portraits decodes JPEG 2000 chip portraits for the reviewer; one
	// Decoder bounds the decoder processes running at once.
	portraits dg2.Decoder
	pages     *pages
	recent    *recentEmails
}

var (
	_ oidcop.Authenticator = (*Verifier)(nil)
	_ oidcop.ClaimsSource  = (*Verifier)(nil)
)

// New builds the verifier, reporting every configuration problem at once.
func New(cfg Config) (*Verifier, error) {
	cfg, err := cfg.check()
	if err != nil {
		return nil, err
	}
	derive := func(purpose string) []byte {
		k, derr := keys.Derive(cfg.Master, purpose)
		err = errors.Join(err, derr)
		return k
	}
	v := &Verifier{cfg: cfg, db: cfg.Store, docKey: derive(purposeDocument), subKey: derive(purposeSubject), chipKey: derive(purposeChip)}
	v.rungs = []string{RungEmail, RungDocumentReview}
	if cfg.Trust != nil {
		v.rungs = append(v.rungs, RungChip)
	}
	otpKey := derive(purposeOTP)
	if err != nil {
		return nil, fmt.Errorf("verifier: %w", err)
	}
	var errs []error
	v.codes, err = email.New(email.Config{Key: otpKey, AllowedDomains: cfg.AllowedEmailDomains}, otpStore{cfg.Store}, cfg.Clock, cfg.Rand)
	errs = append(errs, err)
	v.vault, err = vault.New(cfg.Master, cfg.Rand)
	errs = append(errs, err)
	var ring oidcop.KeySource = cfg.Keys
	if ring == nil {
		kr, err := keyRing(cfg.SigningKey, cfg.Rand)
		errs = append(errs, err)
		ring = kr
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("verifier: %w", err)
	}
	v.recent = newRecentEmails(cfg.Clock)
	v.op, err = oidcop.New(oidcop.Config{
		Issuer: cfg.Issuer, Clients: cfg.Clients, Keys: ring,
		Authenticator: v, Claims: v, UI: v.routes(),
		Scopes:          []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail},
		SupportedClaims: supportedClaims,
		DiscoveryExtras: discoveryExtras(v.rungs, cfg.AutoDecide),
		BrowserCookie:   browserCookie,
		RequestLifetime: cfg.RequestLifetime,
		Logger:          cfg.Logger, Clock: cfg.Clock, Rand: cfg.Rand,
	})
	if err != nil {
		return nil, fmt.Errorf("verifier: %w", err)
	}
	v.pages, err = newPages(v.op.Path(""))
	if err != nil {
		return nil, fmt.Errorf("verifier: %w", err)
	}
	return v, nil
}

func (v *Verifier) ServeHTTP(w http.ResponseWriter, r *http.Request) { v.op.ServeHTTP(w, r) }

// Issuer returns the issuer URL.
func (v *Verifier) Issuer() string { return v.op.Issuer() }

var supportedClaims = []string{
	"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp",
	"email", "email_verified", "verified_claims",
}

// Rungs returns the acr values this verifier supports, lowest first.
func (v *Verifier) Rungs() []string { return slices.Clone(v.rungs) }

func discoveryExtras(rungs []string, automated bool) map[string]any {
	methods := []string{ida.CheckVRI, ida.CheckPVR}
	if slices.Contains(rungs, RungChip) {
		methods = append(methods, ida.CheckVCrypt)
		if automated {
			methods = append(methods, ida.CheckBVR)
		}
	}
	return map[string]any{
		"trust_frameworks_supported":          []string{ida.TrustFrameworkNIST80063A},
		"evidence_supported":                  []string{ida.EvidenceDocument},
		"documents_supported":                 []string{ida.DocumentPassport, ida.DocumentIDCard},
		"documents_check_methods_supported":   methods,
		"claims_in_verified_claims_supported": []string{"given_name", "family_name", "birthdate", "nationalities"},
		"claims_parameter_supported":          true,
		"acr_values_supported":                rungs,
	}
}

// Retry limits: at most maxRejections rejected verifications per claimed
// email within retryWindow before new attempts are refused.
const (
	maxRejections = 3
	retryWindow   = 24 * time.Hour
)

// Begin starts one verification per authorization request. The browser is
// bound and an earlier approval reused on the start page (Complete needs
// the binding, which Begin cannot set).
func (v *Verifier) Begin(ctx context.Context, req oidcop.Request) (string, error) {
	who, err := v.claimedIdentity(ctx, req.LoginHint)
	if err != nil {
		return "", err
	}
	now := v.cfg.Clock()
	// A person whose verifications keep being rejected is stopped for a
	// day: retrying is for honest mistakes, not for probing the reviewers.
	if who.email != "" {
		n, err := v.db.CountVerifications(ctx, who.email, store.VerificationRejected, now.Add(-retryWindow))
		if err != nil {
			return "", fmt.Errorf("verifier: count rejections: %w", err)
		}
		if n >= maxRejections {
			return "", &oidcop.AuthError{Code: oidcop.AccessDenied,
				Description: "too many rejected verifications in the last day; contact your IT team"}
		}
	}
	id, err := v.newID()
	if err != nil {
		return "", err
	}
	rec := &store.Verification{
		ID: id, AuthRequestID: req.ID, ClientID: req.ClientID,
		Rung: pickRung(v.rungs, req.ACRValues), Status: store.VerificationStarted,
		ClaimedEmail: who.email, ClaimedName: who.name,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(v.cfg.VerificationLifetime),
	}
	if err := v.db.CreateVerification(ctx, rec); err != nil {
		return "", fmt.Errorf("verifier: create verification: %w", err)
	}
	return v.op.Path("/start") + "?id=" + req.ID, nil
}

// newID returns a random identifier: 128 bits, URL-safe, no ':'.
func (v *Verifier) newID() (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(v.cfg.Rand, b); err != nil {
		return "", fmt.Errorf("verifier: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// keyedHash is a 256-bit HMAC of the parts, length-prefixed so that part
// boundaries cannot shift.
func keyedHash(key []byte, parts ...string) string {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		fmt.Fprintf(m, "%d:%s", len(p), p)
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// emailSubject is the subject of a person verified at the email rung only:
// stable per address, and no address in it.
func (v *Verifier) emailSubject(addr string) string { return "e-" + keyedHash(v.subKey, addr) }

// mutate applies fn to the verification's current version and saves it,
// retrying when another request saved in between.
func (v *Verifier) mutate(ctx context.Context, id string, fn func(rec *store.Verification, s *steps) error) (*store.Verification, error) {
	for range 3 {
		rec, err := v.db.GetVerification(ctx, id)
		if err != nil {
			return nil, err
		}
		s, err := decodeSteps(rec.Steps)
		if err != nil {
			return nil, err
		}
		if err := fn(rec, &s); err != nil {
			return nil, err
		}
		if rec.Steps, err = s.encode(); err != nil {
			return nil, err
		}
		rec.UpdatedAt = v.cfg.Clock()
		err = v.db.UpdateVerification(ctx, rec)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		return rec, err
	}
	return nil, fmt.Errorf("verifier: verification %s: %w", id, store.ErrConflict)
}

// keyRing wraps the configured key, or makes an RSA 2048 key (RS256 is
// what every relying party verifies).
func keyRing(s crypto.Signer, random io.Reader) (*oidcop.KeyRing, error) {
	if s == nil {
		k, err := rsa.GenerateKey(random, 2048)
		if err != nil {
			return nil, fmt.Errorf("generate signing key: %w", err)
		}
		s = k
	}
	key, err := oidcop.NewSigningKey(s)
	if err != nil {
		return nil, err
	}
	return oidcop.NewKeyRing(key)
}

// sinceFinished is how long ago the steps were finished (for max_age).
func sinceFinished(s steps, now time.Time) time.Duration { return now.Sub(s.FinishedAt) }
