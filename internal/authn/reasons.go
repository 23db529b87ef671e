package authn

import (
	"errors"
	"net/http"
)

// Reasons a login or logout is refused. Each attack the callback defends
// against has its own name so that logs and metrics tell them apart. The
// strings are stable: dashboards and alerts key on them.
const (
	ReasonReturnURLInvalid    = "return-url-invalid"
	ReasonNoProvider          = "no-provider"
	ReasonProviderUnknown     = "provider-unknown"
	ReasonProviderNotAllowed  = "provider-not-allowed"
	ReasonProviderUnreachable = "provider-unreachable"
	ReasonProviderError       = "provider-error"
	ReasonProviderIssuer      = "provider-issuer-mismatch"

	ReasonStateMissing       = "state-missing"
	ReasonStateMismatch      = "state-mismatch"
	ReasonStateReplayed      = "state-replayed"
	ReasonLoginCookieMissing = "login-cookie-missing"
	ReasonLoginCookieInvalid = "login-cookie-invalid"
	ReasonLoginExpired       = "login-expired"

	ReasonCodeMissing        = "code-missing"
	ReasonCodeExchangeFailed = "code-exchange-failed"

	ReasonIDTokenMissing          = "id-token-missing"
	ReasonIDTokenMalformed        = "id-token-malformed"
	ReasonIDTokenAlgNotAllowed    = "id-token-alg-not-allowed"
	ReasonIDTokenUnknownKey       = "id-token-unknown-key"
	ReasonIDTokenBadSignature     = "id-token-bad-signature"
	ReasonJWKSUnreachable         = "jwks-unreachable"
	ReasonIDTokenIssuerMismatch   = "id-token-issuer-mismatch"
	ReasonIDTokenAudienceMismatch = "id-token-audience-mismatch"
	ReasonIDTokenAZPMissing       = "id-token-azp-missing"
	ReasonIDTokenAZPMismatch      = "id-token-azp-mismatch"
	ReasonIDTokenExpired          = "id-token-expired"
	ReasonIDTokenNotYetValid      = "id-token-not-yet-valid"
	ReasonIDTokenIATMissing       = "id-token-iat-missing"
	ReasonIDTokenIssuedInFuture   = "id-token-issued-in-future"
	ReasonIDTokenTooOld           = "id-token-too-old"
	ReasonNonceMissing            = "nonce-missing"
	ReasonNonceMismatch           = "nonce-mismatch"
	ReasonIDTokenSubMissing       = "id-token-sub-missing"
	ReasonIDTokenAtHashMismatch   = "id-token-at-hash-mismatch"
	ReasonIDTokenInvalid          = "id-token-invalid"

	ReasonUserinfoFailed      = "userinfo-failed"
	ReasonUserinfoSubMismatch = "userinfo-sub-mismatch"

	ReasonNoVerifier                  = "no-verifier"
	ReasonVerificationNotNeeded       = "verification-not-needed"
	ReasonVerificationSessionChanged  = "verification-session-changed"
	ReasonVerificationACRInsufficient = "verification-acr-insufficient"
	ReasonVerificationTooOld          = "verification-too-old"
	ReasonVerificationAuthTimeMissing = "verification-auth-time-missing"
	ReasonVerificationClaimsInvalid   = "verification-claims-invalid"
	ReasonVerificationFailed          = "verification-failed"
	// ReasonVerificationNameMismatch: the verifier requires the verified
	// name to be the account's (require_name_match), and it is not.
	ReasonVerificationNameMismatch = "verification-name-mismatch"
	// ReasonVerificationHintFailed: the signed login_hint for the verifier
	// could not be minted.
	ReasonVerificationHintFailed = "verification-hint-failed"

	ReasonLedgerFailed  = "ledger-failed"
	ReasonSessionFailed = "session-failed"
	ReasonLogoutFailed  = "logout-failed"
	// ReasonLogoutCrossOrigin: a browser POSTed the logout form from
	// another origin (logout CSRF).
	ReasonLogoutCrossOrigin = "logout-cross-origin"
	ReasonInternal          = "internal-error"
)

// failure is a refused request: Reason and Status reach the user, Err only
// the log. Err must never carry tokens, codes or secrets.
type failure struct {
	Reason   string
	Status   int
	Provider string // a configured provider name, or "" (metric label: never user input)
	Return   string // validated return URL for the "try again" link, or ""
	Detail   string // user-safe extra text, e.g. the provider's error code
	Err      error
}

func (f *failure) Error() string {
	if f.Err != nil {
		return f.Reason + ": " + f.Err.Error()
	}
	return f.Reason
}

func (f *failure) Unwrap() error { return f.Err }

// fail makes a 400 failure.
func fail(reason string, err error) *failure {
	return &failure{Reason: reason, Status: http.StatusBadRequest, Err: err}
}

// failStatus makes a failure with another status (502 for an unreachable
// provider, 500 for our own faults).
func failStatus(reason string, status int, err error) *failure {
	return &failure{Reason: reason, Status: status, Err: err}
}

// asFailure returns err as a *failure, wrapping unknown errors as internal.
func asFailure(err error) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	return failStatus(ReasonInternal, http.StatusInternalServerError, err)
}
