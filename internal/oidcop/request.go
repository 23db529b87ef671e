package oidcop

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Authenticator is the login UI of a provider. The core calls Begin once
// per validated authorization request and sends the browser to the URL it
// returns; the UI then authenticates the user in its own pages (served
// through Config.UI) and finishes with Provider.Complete or Provider.Fail,
// sending the browser to the URL those return.
type Authenticator interface {
	// Begin returns the URL (absolute, or an absolute path) of the UI for
	// req. An *AuthError fails the request at the relying party with its
	// code; any other error fails it with server_error.
	Begin(ctx context.Context, req Request) (loginURL string, err error)
}

// ClaimsSource supplies the claims of a subject. claimsRequest is the whole
// OIDC `claims` request parameter (a JSON object with optional id_token
// and userinfo members), nil when the relying party sent none: pick the
// member for the response at hand. The returned map must not contain
// protocol claims (iss, sub, aud, exp, iat, auth_time, nonce, acr, amr,
// azp, ...): the core sets those and refuses a map that has them.
type ClaimsSource interface {
	IDTokenClaims(ctx context.Context, subject, clientID string, scopes []string, claimsRequest json.RawMessage) (map[string]any, error)
	UserinfoClaims(ctx context.Context, subject, clientID string, scopes []string, claimsRequest json.RawMessage) (map[string]any, error)
}

// Request is what an Authenticator learns of an authorization request. It
// is a copy: changing it changes nothing in the provider.
type Request struct {
	ID       string
	ClientID string
	Scopes   []string
	// ACRValues are the requested acr_values, preferred first.
	ACRValues []string
	// MaxAge is the requested max_age; nil when absent. prompt=login sets
	// it to 0. Complete refuses an AuthTime older than it.
	MaxAge *time.Duration
	// Prompt holds the prompt values (none never reaches an Authenticator:
	// the core keeps no sessions and answers login_required).
	Prompt    []string
	LoginHint string
	UILocales []string
	// IDTokenHint holds the claims of a valid id_token_hint (signed by
	// this provider; it may have expired); nil when none was sent.
	IDTokenHint *IDTokenHint
	// Claims is the `claims` request parameter, a JSON object; nil when
	// absent.
	Claims json.RawMessage
	// Created is when the request was stored.
	Created time.Time
}

// IDTokenHint is what a verified id_token_hint says.
type IDTokenHint struct {
	Subject  string
	Audience []string
	ACR      string
	AMR      []string
	AuthTime time.Time
	Expired  bool
}

// ForceLogin reports whether the user must authenticate now even if the
// UI has some other proof of an earlier authentication (prompt=login or
// max_age=0).
func (r Request) ForceLogin() bool {
	return slices.Contains(r.Prompt, oidc.PromptLogin) || (r.MaxAge != nil && *r.MaxAge == 0)
}

// Result is the outcome of a successful authentication.
type Result struct {
	// Subject is the sub claim: stable, at most 255 bytes, without ':'.
	Subject string
	// AuthTime is when the user authenticated (auth_time).
	AuthTime time.Time
	// ACR and AMR go into the ID token as acr and amr.
	ACR string
	AMR []string
}

// requestView is an immutable snapshot of an auth request, handed to the op
// package; the live state stays under the storage lock.
type requestView struct {
	id           string
	clientID     string
	redirectURI  string
	state        string
	nonce        string
	scopes       []string
	responseType oidc.ResponseType
	responseMode oidc.ResponseMode
	challenge    *oidc.CodeChallenge
	claims       json.RawMessage
	result       Result
	done         bool
}

var _ op.AuthRequest = requestView{}

func (r requestView) GetID() string                         { return r.id }
func (r requestView) GetACR() string                        { return r.result.ACR }
func (r requestView) GetAMR() []string                      { return slices.Clone(r.result.AMR) }
func (r requestView) GetAudience() []string                 { return []string{r.clientID} }
func (r requestView) GetAuthTime() time.Time                { return r.result.AuthTime }
func (r requestView) GetClientID() string                   { return r.clientID }
func (r requestView) GetCodeChallenge() *oidc.CodeChallenge { return r.challenge }
func (r requestView) GetNonce() string                      { return r.nonce }
func (r requestView) GetRedirectURI() string                { return r.redirectURI }
func (r requestView) GetResponseType() oidc.ResponseType    { return r.responseType }
func (r requestView) GetResponseMode() oidc.ResponseMode    { return r.responseMode }
func (r requestView) GetScopes() []string                   { return r.scopes }
func (r requestView) GetState() string                      { return r.state }
func (r requestView) GetSubject() string                    { return r.result.Subject }
func (r requestView) Done() bool                            { return r.done }

// pending is the live state of one authorization.
type pending struct {
	view     requestView
	public   Request // what the Authenticator sees
	loginURL string
	created  time.Time
	browser  string
	attempts int
	failure  *AuthError // set by Fail; the callback sends it to the RP
	code     string
	codeAt   time.Time
}

// accessToken is an issued bearer token; the op package encrypts its ID and
// subject into the opaque token string.
type accessToken struct {
	subject  string
	clientID string
	scopes   []string
	claims   json.RawMessage
	expires  time.Time
}
