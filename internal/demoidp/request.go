package demoidp

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The demo provider authenticates with a password only, so every token
// carries the same method and assurance values.
const (
	// ACR is the acr value of every ID token the demo provider issues.
	ACR         = "urn:vigil:demo:pwd"
	amrPassword = "pwd" // RFC 8176
)

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
	subject      string
	authTime     time.Time
	done         bool
}

var _ op.AuthRequest = requestView{}

func (r requestView) GetID() string                         { return r.id }
func (r requestView) GetACR() string                        { return ACR }
func (r requestView) GetAMR() []string                      { return []string{amrPassword} }
func (r requestView) GetAudience() []string                 { return []string{r.clientID} }
func (r requestView) GetAuthTime() time.Time                { return r.authTime }
func (r requestView) GetClientID() string                   { return r.clientID }
func (r requestView) GetCodeChallenge() *oidc.CodeChallenge { return r.challenge }
func (r requestView) GetNonce() string                      { return r.nonce }
func (r requestView) GetRedirectURI() string                { return r.redirectURI }
func (r requestView) GetResponseType() oidc.ResponseType    { return r.responseType }
func (r requestView) GetResponseMode() oidc.ResponseMode    { return r.responseMode }
func (r requestView) GetScopes() []string                   { return r.scopes }
func (r requestView) GetState() string                      { return r.state }
func (r requestView) GetSubject() string                    { return r.subject }
func (r requestView) Done() bool                            { return r.done }

// pending is the live state of one authorization: the request, which
// browser it is bound to, the login attempts and the code once issued.
type pending struct {
	view     requestView
	created  time.Time
	browser  string
	attempts int
	code     string
	codeAt   time.Time
}

// accessToken is an issued bearer token; the op package encrypts its ID and
// subject into the opaque token string.
type accessToken struct {
	subject  string
	clientID string
	scopes   []string
	expires  time.Time
}
