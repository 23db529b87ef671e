package oidcop

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// memStorage is the op.Storage of a provider: auth requests, codes and
// access tokens in memory, bounded; clients from configuration.
type memStorage struct {
	cfg     Config // with defaults
	clients map[string]*client

	mu       sync.Mutex
	requests map[string]*pending
	codes    map[string]string // code -> request id
	tokens   map[string]accessToken
}

var _ op.Storage = (*memStorage)(nil)
var _ op.CanSetUserinfoFromRequest = (*memStorage)(nil)

func newMemStorage(cfg Config) *memStorage {
	s := &memStorage{
		cfg:      cfg,
		clients:  make(map[string]*client, len(cfg.Clients)),
		requests: map[string]*pending{},
		codes:    map[string]string{},
		tokens:   map[string]accessToken{},
	}
	for _, c := range cfg.Clients {
		s.clients[c.ID] = newClient(c, cfg.Scopes, cfg.IDTokenLifetime, s.loginURL)
	}
	return s
}

func (s *memStorage) newID() (string, error) {
	b := make([]byte, 18)
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		return "", fmt.Errorf("random id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// pruneLocked drops what has expired. Callers hold s.mu.
func (s *memStorage) pruneLocked(now time.Time) {
	for id, p := range s.requests {
		if now.Sub(p.created) > s.cfg.RequestLifetime {
			s.deleteLocked(id)
		}
	}
	for id, t := range s.tokens {
		if !now.Before(t.expires) {
			delete(s.tokens, id)
		}
	}
}

func (s *memStorage) deleteLocked(id string) {
	if p, ok := s.requests[id]; ok && p.code != "" {
		delete(s.codes, p.code)
	}
	delete(s.requests, id)
}

// liveLocked returns the request if it exists and has not expired.
func (s *memStorage) liveLocked(id string) (*pending, bool) {
	p, ok := s.requests[id]
	if !ok || s.cfg.Clock().Sub(p.created) > s.cfg.RequestLifetime {
		return nil, false
	}
	return p, true
}

func (s *memStorage) loginURL(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.requests[id]; ok {
		return p.loginURL
	}
	return "" // unreachable: the op asks right after CreateAuthRequest
}

// CreateAuthRequest stores a validated authorization request and asks the
// Authenticator where the browser goes. PKCE policy is enforced here
// because the op package accepts "plain" and lets public clients start
// without a challenge: we require S256 whenever a challenge is sent, and a
// challenge from every public client.
func (s *memStorage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, hintSubject string) (op.AuthRequest, error) {
	c, ok := s.clients[req.ClientID]
	if !ok {
		return nil, oidc.ErrInvalidRequest().WithDescription("unknown client")
	}
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		// There are no sessions to reuse, so a silent login cannot succeed.
		return nil, oidc.ErrLoginRequired().WithDescription("this provider keeps no sessions")
	}
	var challenge *oidc.CodeChallenge
	switch {
	case req.CodeChallenge == "" && !c.confidential():
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method=S256 is required")
	case req.CodeChallenge == "":
	case req.CodeChallengeMethod != oidc.CodeChallengeMethodS256:
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	default:
		challenge = &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: oidc.CodeChallengeMethodS256}
	}
	claims := claimsFromContext(ctx)
	if claims.err != nil {
		return nil, oidc.ErrInvalidRequest().WithDescription("invalid claims parameter")
	}
	hint, err := s.verifyHint(ctx, req.IDTokenHint, hintSubject)
	if err != nil {
		return nil, err
	}
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock()
	view := requestView{
		id: id, clientID: req.ClientID, redirectURI: req.RedirectURI, state: req.State, nonce: req.Nonce,
		scopes: slices.Clone([]string(req.Scopes)), responseType: req.ResponseType, responseMode: req.ResponseMode,
		challenge: challenge, claims: claims.raw,
	}
	public := Request{
		ID: id, ClientID: req.ClientID, Scopes: slices.Clone(view.scopes),
		ACRValues: slices.Clone([]string(req.ACRValues)), Prompt: slices.Clone([]string(req.Prompt)),
		LoginHint: req.LoginHint, IDTokenHint: hint, Claims: claims.raw, Created: now,
	}
	if req.MaxAge != nil {
		d := time.Duration(*req.MaxAge) * time.Second
		public.MaxAge = &d
	}
	for _, tag := range req.UILocales {
		public.UILocales = append(public.UILocales, tag.String())
	}
	s.mu.Lock()
	s.pruneLocked(now)
	if len(s.requests) >= s.cfg.MaxPending {
		s.mu.Unlock()
		return nil, oidc.ErrServerError().WithDescription("too many sign-ins in progress; try again later")
	}
	s.requests[id] = &pending{view: view, public: public, created: now}
	s.mu.Unlock()

	loginURL, err := s.cfg.Authenticator.Begin(ctx, cloneRequest(public))
	if err == nil && loginURL == "" {
		err = errors.New("authenticator returned no login URL")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.requests[id]
	if err != nil || !ok {
		s.deleteLocked(id)
		var ae *AuthError
		if errors.As(err, &ae) {
			return nil, ae.oidcError()
		}
		if err == nil {
			err = ErrUnknownRequest
		}
		return nil, oidc.ErrServerError().WithDescription("the sign-in could not be started").WithParent(err)
	}
	p.loginURL = loginURL
	return view, nil
}

// verifyHint returns the claims of the id_token_hint. The op package has
// already checked it (hintSubject is its sub) but keeps only the subject.
func (s *memStorage) verifyHint(ctx context.Context, hint, hintSubject string) (*IDTokenHint, error) {
	if hint == "" {
		return nil, nil
	}
	v := op.NewIDTokenHintVerifier(s.cfg.Issuer, &op.OpenIDKeySet{Storage: s})
	claims, err := op.VerifyIDTokenHint[*oidc.IDTokenClaims](ctx, hint, v)
	expired := errors.As(err, &op.IDTokenHintExpiredError{})
	if (err != nil && !expired) || claims == nil || claims.Subject != hintSubject {
		return nil, oidc.ErrLoginRequired().WithDescription("the id_token_hint is invalid")
	}
	return &IDTokenHint{
		Subject: claims.Subject, Audience: slices.Clone([]string(claims.Audience)),
		ACR: claims.AuthenticationContextClassReference, AMR: slices.Clone([]string(claims.AuthenticationMethodsReferences)),
		AuthTime: claims.AuthTime.AsTime(), Expired: expired,
	}, nil
}

func (s *memStorage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.liveLocked(id)
	if !ok {
		return nil, ErrUnknownRequest
	}
	return p.view, nil
}

// AuthRequestByCode consumes the code: whatever the token endpoint decides
// next (even a wrong PKCE verifier), the code cannot be presented again.
func (s *memStorage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.codes[code]
	if !ok {
		return nil, ErrUnknownRequest
	}
	p, live := s.liveLocked(id)
	s.deleteLocked(id)
	if !live || s.cfg.Clock().Sub(p.codeAt) > s.cfg.CodeLifetime || !p.view.done {
		return nil, ErrUnknownRequest
	}
	return p.view, nil
}

// SaveAuthCode records the one code of a completed request; a second
// callback for the same request is refused.
func (s *memStorage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.liveLocked(id)
	if !ok || !p.view.done {
		return ErrUnknownRequest
	}
	if p.code != "" {
		return oidc.ErrInvalidRequest().WithDescription("authorization code already issued")
	}
	p.code, p.codeAt = code, s.cfg.Clock()
	s.codes[code] = id
	return nil
}

func (s *memStorage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteLocked(id)
	return nil
}

func (s *memStorage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	var clientID string
	var claims []byte
	if ar, ok := req.(requestView); ok {
		clientID, claims = ar.clientID, ar.claims
	} else if aud := req.GetAudience(); len(aud) > 0 {
		clientID = aud[0]
	}
	id, err := s.newID()
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.cfg.Clock()
	exp := now.Add(s.cfg.AccessTokenLifetime)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	if len(s.tokens) >= s.cfg.MaxTokens {
		return "", time.Time{}, oidc.ErrServerError().WithDescription("too many active tokens; try again later")
	}
	s.tokens[id] = accessToken{subject: req.GetSubject(), clientID: clientID, scopes: slices.Clone(req.GetScopes()), claims: claims, expires: exp}
	return id, exp, nil
}

func (s *memStorage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, oidc.ErrUnsupportedGrantType().WithDescription("refresh tokens are not supported")
}

func (s *memStorage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *memStorage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// TerminateSession ends what the provider holds for the user at the client:
// its access tokens. There are no single sign-on sessions to end.
func (s *memStorage) TerminateSession(_ context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.tokens {
		if t.subject == userID && (clientID == "" || t.clientID == clientID) {
			delete(s.tokens, id)
		}
	}
	return nil
}

// RevokeToken revokes an access token of the client. Unknown tokens are not
// an error (RFC 7009 section 2.2).
func (s *memStorage) RevokeToken(_ context.Context, tokenID, userID, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[tokenID]; ok && t.subject == userID && t.clientID == clientID {
		delete(s.tokens, tokenID)
	}
	return nil
}

func (s *memStorage) Health(context.Context) error { return nil }
