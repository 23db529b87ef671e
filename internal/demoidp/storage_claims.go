package demoidp

import (
	"context"
	"errors"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// This file holds the op.OPStorage half of memStorage: clients and claims.

var errInvalidToken = errors.New("access token invalid or expired")

// GetClientByClientID returns a plain error for an unknown client, which the
// op package turns into invalid_client / invalid_request, not a 500.
func (s *memStorage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	c, ok := s.clients[id]
	if !ok {
		return nil, errUnknownClient
	}
	return c, nil
}

func (s *memStorage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	c, ok := s.clients[id]
	if !ok || !c.secretMatches(secret) {
		return errors.New("invalid client credentials")
	}
	return nil
}

// SetUserinfoFromScopes is deprecated in the op package, which asks for an
// empty implementation; SetUserinfoFromRequest does the work.
func (s *memStorage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token claims.
func (s *memStorage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if !s.users.fill(info, req.GetSubject(), scopes) {
		return errors.New("user no longer exists")
	}
	return nil
}

// SetUserinfoFromToken answers the userinfo endpoint.
func (s *memStorage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, ok := s.token(tokenID)
	if !ok || t.subject != subject {
		return errInvalidToken
	}
	if !s.users.fill(info, subject, t.scopes) {
		return errInvalidToken
	}
	return nil
}

// SetIntrospectionFromToken reports a token active only to the client it
// was issued to.
func (s *memStorage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, ok := s.token(tokenID)
	if !ok || t.subject != subject || t.clientID != clientID {
		return errInvalidToken
	}
	info := new(oidc.UserInfo)
	if !s.users.fill(info, subject, t.scopes) {
		return errInvalidToken
	}
	resp.SetUserInfo(info)
	resp.Active = true
	resp.ClientID = t.clientID
	resp.Scope = t.scopes
	resp.Audience = []string{t.clientID}
	resp.Expiration = oidc.FromTime(t.expires)
	return nil
}

func (s *memStorage) token(id string) (accessToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok || !s.now().Before(t.expires) {
		return accessToken{}, false
	}
	return t, true
}

// GetPrivateClaimsFromScopes: access tokens are opaque, so they carry no
// private claims.
func (s *memStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID and ValidateJWTProfileScopes serve the JWT profile
// grant and private_key_jwt, which the demo provider does not offer.
func (s *memStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotSupported
}

func (s *memStorage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNotSupported
}
