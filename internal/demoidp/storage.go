package demoidp

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const (
	requestLifetime     = 10 * time.Minute
	codeLifetime        = time.Minute
	accessTokenLifetime = 5 * time.Minute
	// maxPending bounds the memory anyone can make us hold by calling the
	// authorization endpoint.
	maxPending = 10000
	maxTokens  = 10000
)

var (
	errUnknownRequest = errors.New("auth request not found or expired")
	errUnknownClient  = errors.New("unknown client")
	errNotSupported   = errors.New("not supported by the demo identity provider")
)

// memStorage is the op.Storage of the demo provider: auth requests, codes and
// access tokens in memory, users and clients from configuration.
type memStorage struct {
	now     func() time.Time
	random  io.Reader
	key     *signingKey
	users   *directory
	clients map[string]*client

	mu       sync.Mutex
	requests map[string]*pending
	codes    map[string]string // code -> request id
	tokens   map[string]accessToken
}

var _ op.Storage = (*memStorage)(nil)
var _ op.CanSetUserinfoFromRequest = (*memStorage)(nil)

func newMemStorage(now func() time.Time, random io.Reader, key *signingKey, users *directory, clients map[string]*client) *memStorage {
	return &memStorage{
		now: now, random: random, key: key, users: users, clients: clients,
		requests: map[string]*pending{},
		codes:    map[string]string{},
		tokens:   map[string]accessToken{},
	}
}

func (s *memStorage) newID() (string, error) {
	b := make([]byte, 18)
	if _, err := io.ReadFull(s.random, b); err != nil {
		return "", fmt.Errorf("random id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// pruneLocked drops what has expired. Callers hold s.mu.
func (s *memStorage) pruneLocked(now time.Time) {
	for id, p := range s.requests {
		if now.Sub(p.created) > requestLifetime {
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
	if !ok || s.now().Sub(p.created) > requestLifetime {
		return nil, false
	}
	return p, true
}

// CreateAuthRequest stores a validated authorization request. PKCE policy is
// enforced here because the op package accepts "plain" and lets public
// clients start without a challenge: we require S256 whenever a challenge
// is sent, and a challenge from every public client.
func (s *memStorage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	c, ok := s.clients[req.ClientID]
	if !ok {
		return nil, oidc.ErrInvalidRequest().WithDescription("unknown client")
	}
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		// There are no sessions to reuse, so a silent login cannot succeed.
		return nil, oidc.ErrLoginRequired().WithDescription("the demo identity provider keeps no sessions")
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
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	view := requestView{
		id: id, clientID: req.ClientID, redirectURI: req.RedirectURI, state: req.State, nonce: req.Nonce,
		scopes: slices.Clone([]string(req.Scopes)), responseType: req.ResponseType, responseMode: req.ResponseMode,
		challenge: challenge,
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	if len(s.requests) >= maxPending {
		return nil, oidc.ErrServerError().WithDescription("too many sign-ins in progress; try again later")
	}
	s.requests[id] = &pending{view: view, created: now}
	return view, nil
}

func (s *memStorage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.liveLocked(id)
	if !ok {
		return nil, errUnknownRequest
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
		return nil, errUnknownRequest
	}
	p, live := s.liveLocked(id)
	s.deleteLocked(id)
	if !live || s.now().Sub(p.codeAt) > codeLifetime || !p.view.done {
		return nil, errUnknownRequest
	}
	return p.view, nil
}

// SaveAuthCode records the one code of a finished login; a second callback
// for the same request is refused.
func (s *memStorage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.liveLocked(id)
	if !ok || !p.view.done {
		return errUnknownRequest
	}
	if p.code != "" {
		return oidc.ErrInvalidRequest().WithDescription("authorization code already issued")
	}
	p.code, p.codeAt = code, s.now()
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
	if ar, ok := req.(op.AuthRequest); ok {
		clientID = ar.GetClientID()
	} else if aud := req.GetAudience(); len(aud) > 0 {
		clientID = aud[0]
	}
	id, err := s.newID()
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.now()
	exp := now.Add(accessTokenLifetime)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	if len(s.tokens) >= maxTokens {
		return "", time.Time{}, oidc.ErrServerError().WithDescription("too many active tokens; try again later")
	}
	s.tokens[id] = accessToken{subject: req.GetSubject(), clientID: clientID, scopes: slices.Clone(req.GetScopes()), expires: exp}
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

func (s *memStorage) SigningKey(context.Context) (op.SigningKey, error) { return s.key, nil }

func (s *memStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{s.key.alg}, nil
}

func (s *memStorage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{&publicKey{k: s.key}}, nil
}

func (s *memStorage) Health(context.Context) error { return nil }
