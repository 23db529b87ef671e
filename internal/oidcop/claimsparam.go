package oidcop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// maxClaimsParam bounds the `claims` request parameter (the same bound as
// internal/ida's parser).
const maxClaimsParam = 16 << 10

// maxAuthorizeBody bounds a POSTed authorization request.
const maxAuthorizeBody = 64 << 10

// parseClaimsParam checks the OIDC `claims` request parameter (OIDC Core
// 5.5): a JSON object whose id_token and userinfo members, when present,
// are objects or null. Other members are allowed and passed on. It returns
// the compacted JSON, or nil for an absent parameter.
func parseClaimsParam(values []string) (json.RawMessage, error) {
	switch len(values) {
	case 0:
		return nil, nil
	case 1:
	default:
		return nil, errors.New("claims parameter sent more than once")
	}
	raw := values[0]
	if raw == "" {
		return nil, nil
	}
	if len(raw) > maxClaimsParam {
		return nil, fmt.Errorf("claims parameter longer than %d bytes", maxClaimsParam)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &top); err != nil || top == nil {
		return nil, errors.New("claims parameter is not a JSON object")
	}
	for _, member := range []string{"id_token", "userinfo"} {
		v, ok := top[member]
		if !ok {
			continue
		}
		v = bytes.TrimSpace(v)
		if !bytes.Equal(v, []byte("null")) && (len(v) == 0 || v[0] != '{') {
			return nil, fmt.Errorf("claims parameter: %s must be an object", member)
		}
	}
	var out bytes.Buffer
	if err := json.Compact(&out, []byte(raw)); err != nil {
		return nil, errors.New("claims parameter is not JSON")
	}
	return out.Bytes(), nil
}

// claimsParam travels from the authorize interceptor to CreateAuthRequest,
// which the op package calls with the request's context.
type claimsParam struct {
	raw json.RawMessage
	err error
}

type claimsParamKey struct{}

// captureClaims reads the `claims` parameter of an authorization request
// (which the op package does not parse) into the request context. A bad
// parameter is reported by CreateAuthRequest, after the redirect URI is
// validated, so the error goes back to the relying party.
func captureClaims(authorizePath string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != authorizePath {
			next.ServeHTTP(w, r)
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxAuthorizeBody)
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, "invalid authorization request", http.StatusBadRequest)
			return
		}
		raw, err := parseClaimsParam(r.Form["claims"])
		ctx := context.WithValue(r.Context(), claimsParamKey{}, claimsParam{raw: raw, err: err})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func claimsFromContext(ctx context.Context) claimsParam {
	p, _ := ctx.Value(claimsParamKey{}).(claimsParam)
	return p
}
