package oidcop

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The op package's discovery document is a fixed struct; extra metadata
// (OpenID Connect for Identity Assurance, acr_values_supported, ...) is
// merged in by an interceptor that answers the discovery path itself.

// checkExtras makes sure the extras marshal and set no member the op
// package sets, and returns a private copy of them as JSON values.
func checkExtras(provider *op.Provider, storage *memStorage, extras map[string]any) (map[string]any, error) {
	if len(extras) == 0 {
		return nil, nil
	}
	ctx := op.ContextWithIssuer(context.Background(), storage.cfg.Issuer)
	base, err := discoveryMap(ctx, provider, storage)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(extras)
	if err != nil {
		return nil, fmt.Errorf("discovery extras: %w", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("discovery extras: %w", err)
	}
	for k := range out {
		if _, ok := base[k]; ok || k == "" {
			return nil, fmt.Errorf("discovery extras: %q is set by the provider", k)
		}
	}
	return out, nil
}

func discoveryMap(ctx context.Context, provider *op.Provider, storage *memStorage) (map[string]any, error) {
	b, err := json.Marshal(op.CreateDiscoveryConfig(ctx, provider, storage))
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	return m, nil
}

// discoveryInterceptor answers /.well-known/openid-configuration with the
// op's document plus the extras.
func (p *Provider) discoveryInterceptor(next http.Handler) http.Handler {
	if len(p.cfg.DiscoveryExtras) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != oidc.DiscoveryEndpoint {
			next.ServeHTTP(w, r)
			return
		}
		doc, err := discoveryMap(r.Context(), p.op, p.storage)
		if err != nil {
			p.cfg.Logger.ErrorContext(r.Context(), "oidcop: discovery", "error", err)
			http.Error(w, "discovery unavailable", http.StatusInternalServerError)
			return
		}
		for k, v := range p.extras {
			doc[k] = v
		}
		b, err := json.Marshal(doc)
		if err != nil {
			http.Error(w, "discovery unavailable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
}
