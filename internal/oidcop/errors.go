package oidcop

import (
	"errors"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// Errors of the flow methods (Bind, Check, Attempt, Complete, Fail). UIs
// map them to pages; none of them reaches the relying party.
var (
	ErrUnknownRequest   = errors.New("auth request not found or expired")
	ErrOtherBrowser     = errors.New("auth request is bound to another browser, or the browser sent no binding cookie")
	ErrTooManyAttempts  = errors.New("too many attempts for this auth request")
	ErrCompleted        = errors.New("auth request already completed")
	ErrStaleAuth        = errors.New("authentication is older than max_age allows")
	ErrInvalidResult    = errors.New("invalid authentication result")
	errUnknownClient    = errors.New("unknown client")
	errNotSupported     = errors.New("not supported by this provider")
	errInvalidToken     = errors.New("access token invalid or expired")
	errInvalidClientCrd = errors.New("invalid client credentials")
)

// ErrorCode is an OAuth error code an Authenticator may send back to the
// relying party (OIDC Core 3.1.2.6).
type ErrorCode string

const (
	AccessDenied        ErrorCode = "access_denied"
	LoginRequired       ErrorCode = "login_required"
	InteractionRequired ErrorCode = "interaction_required"
	InvalidRequest      ErrorCode = "invalid_request"
	ServerError         ErrorCode = "server_error"
)

// AuthError fails an authorization request at the relying party.
// Description is sent to the relying party: keep it free of personal data.
type AuthError struct {
	Code        ErrorCode
	Description string
}

func (e *AuthError) Error() string { return string(e.Code) + ": " + e.Description }

// oidcError converts e; an unknown code becomes server_error, so a typo
// never reaches the relying party as something it might accept.
func (e *AuthError) oidcError() *oidc.Error {
	var out *oidc.Error
	switch e.Code {
	case AccessDenied:
		out = oidc.ErrAccessDenied()
	case LoginRequired:
		out = oidc.ErrLoginRequired()
	case InteractionRequired:
		out = oidc.ErrInteractionRequired()
	case InvalidRequest:
		out = oidc.ErrInvalidRequest()
	default:
		out = oidc.ErrServerError()
	}
	return out.WithDescription("%s", safeDescription(e.Description))
}

// safeDescription keeps the characters RFC 6749 section 4.1.2.1 allows in
// error_description (%x20-21 / %x23-5B / %x5D-7E) and bounds the length.
func safeDescription(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 200 {
			break
		}
		if r >= 0x20 && r <= 0x7e && r != '"' && r != '\\' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
