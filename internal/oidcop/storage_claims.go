package oidcop

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// This file holds the op.OPStorage half of memStorage: clients, keys and
// claims.

// reservedClaims are set by the protocol, never by a ClaimsSource.
var reservedClaims = map[string]bool{
	"iss": true, "sub": true, "aud": true, "exp": true, "iat": true, "nbf": true, "jti": true,
	"auth_time": true, "nonce": true, "acr": true, "amr": true, "azp": true, "client_id": true,
	"at_hash": true, "c_hash": true, "sid": true, "act": true, "cnf": true,
	"active": true, "scope": true, "token_type": true, "username": true, // introspection
}

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
		return errInvalidClientCrd
	}
	return nil
}

// fillInfo copies claims into info, refusing protocol claims.
func fillInfo(info *oidc.UserInfo, subject string, claims map[string]any) error {
	info.Subject = subject
	for k, v := range claims {
		if reservedClaims[k] {
			return fmt.Errorf("claims source returned the protocol claim %q", k)
		}
		info.AppendClaims(k, v)
	}
	return nil
}

// SetUserinfoFromScopes is deprecated in the op package, which asks for an
// empty implementation; SetUserinfoFromRequest does the work.
func (s *memStorage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token claims from the ClaimsSource,
// with the claims parameter of the authorization request.
func (s *memStorage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	var claimsReq json.RawMessage
	if v, ok := req.(requestView); ok {
		claimsReq = v.claims
	}
	claims, err := s.cfg.Claims.IDTokenClaims(ctx, req.GetSubject(), req.GetClientID(), scopes, claimsReq)
	if err != nil {
		return fmt.Errorf("ID token claims: %w", err)
	}
	return fillInfo(info, req.GetSubject(), claims)
}

// SetUserinfoFromToken answers the userinfo endpoint.
func (s *memStorage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, ok := s.token(tokenID)
	if !ok || t.subject != subject {
		return errInvalidToken
	}
	claims, err := s.cfg.Claims.UserinfoClaims(ctx, subject, t.clientID, t.scopes, t.claims)
	if err != nil {
		s.cfg.Logger.WarnContext(ctx, "oidcop: userinfo claims", "client_id", t.clientID, "error", err)
		return errInvalidToken
	}
	if err := fillInfo(info, subject, claims); err != nil {
		return err
	}
	return nil
}

// SetIntrospectionFromToken reports a token active only to the client it
// was issued to.
func (s *memStorage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, ok := s.token(tokenID)
	if !ok || t.subject != subject || t.clientID != clientID {
		return errInvalidToken
	}
	claims, err := s.cfg.Claims.UserinfoClaims(ctx, subject, t.clientID, t.scopes, t.claims)
	if err != nil {
		return errInvalidToken
	}
	info := new(oidc.UserInfo)
	if err := fillInfo(info, subject, claims); err != nil {
		return err
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
	if !ok || !s.cfg.Clock().Before(t.expires) {
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
// grant and private_key_jwt, which these providers do not offer.
func (s *memStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotSupported
}

func (s *memStorage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNotSupported
}

func (s *memStorage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	k, err := s.cfg.Keys.Current(ctx)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if k == nil {
		return nil, fmt.Errorf("signing key: none current")
	}
	return opSigningKey{k}, nil
}

// SignatureAlgorithms lists the algorithms of the published keys, current
// first, for discovery.
func (s *memStorage) SignatureAlgorithms(ctx context.Context) ([]jose.SignatureAlgorithm, error) {
	keys, err := s.published(ctx)
	if err != nil {
		return nil, err
	}
	var algs []jose.SignatureAlgorithm
	for _, k := range keys {
		if !slices.Contains(algs, k.alg) {
			algs = append(algs, k.alg)
		}
	}
	return algs, nil
}

func (s *memStorage) KeySet(ctx context.Context) ([]op.Key, error) {
	keys, err := s.published(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, 0, len(keys))
	for _, k := range keys {
		out = append(out, opPublicKey{k})
	}
	return out, nil
}

// published returns the published keys, with the current one added if the
// source left it out: a token must always verify against the JWKS.
func (s *memStorage) published(ctx context.Context) ([]*SigningKey, error) {
	keys, err := s.cfg.Keys.Published(ctx)
	if err != nil {
		return nil, fmt.Errorf("published keys: %w", err)
	}
	cur, err := s.cfg.Keys.Current(ctx)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	out := make([]*SigningKey, 0, len(keys)+1)
	if cur != nil {
		out = append(out, cur)
	}
	for _, k := range keys {
		if k != nil && (cur == nil || k.id != cur.id) {
			out = append(out, k)
		}
	}
	return out, nil
}
