package authn

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// start creates a login transaction in its own cookie and sends the
// browser to the provider with state, nonce and a PKCE S256 challenge.
func (h *Handler) start(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	rd, rdURL, err := h.returnOrRoot(q.Get("rd"))
	if err != nil {
		return err
	}
	p := h.providers[q.Get("provider")]
	if p == nil {
		return withReturn(fail(ReasonProviderUnknown, nil), rd)
	}
	if !slices.Contains(h.allowedProviders(rdURL), p) {
		return withProvider(withReturn(fail(ReasonProviderNotAllowed, fmt.Errorf("host %q", rdURL.Host)), rd), p)
	}
	return h.begin(w, r, p, rd, nil)
}

// begin creates a login transaction in its own cookie and sends the
// browser to p; vt is set for an identity verification.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request, p *Provider, rd string, vt *verifyTx, extra ...oauth2.AuthCodeOption) error {
	d, err := p.discover(r.Context())
	if err != nil {
		return withProvider(withReturn(failStatus(ReasonProviderUnreachable, http.StatusBadGateway, err), rd), p)
	}
	tx := &transaction{Version: 1, Provider: p.name, Return: rd, Expires: h.now().Add(loginTTL).UTC(), Verify: vt}
	// 256 bits each: state and nonce are unguessable, the verifier is the
	// 43-character maximum-entropy form RFC 7636 recommends.
	for _, dst := range []*string{&tx.State, &tx.Nonce, &tx.Verifier} {
		if *dst, err = h.randomString(); err != nil {
			return err
		}
	}
	name := h.codec.name(tx.State)
	value, err := h.codec.seal(name, tx)
	if err != nil {
		return failStatus(ReasonInternal, http.StatusInternalServerError, err)
	}
	// Too many logins in flight: drop them all rather than grow headers.
	if old := h.codec.loginCookies(r); len(old) >= maxLoginCookies {
		for _, n := range old {
			http.SetCookie(w, h.codec.cookie(n, "", -1))
		}
	}
	http.SetCookie(w, h.codec.cookie(name, value, int(loginTTL.Seconds())))
	opts := append([]oauth2.AuthCodeOption{oidc.Nonce(tx.Nonce), oauth2.S256ChallengeOption(tx.Verifier)}, extra...)
	authURL := p.oauth2Config(d, h.redirectURL()).AuthCodeURL(tx.State, opts...)
	http.Redirect(w, r, authURL, http.StatusSeeOther)
	return nil
}

func (h *Handler) randomString() (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(h.rand, b); err != nil {
		return "", failStatus(ReasonInternal, http.StatusInternalServerError, fmt.Errorf("reading randomness: %w", err))
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (h *Handler) redirectURL() string { return h.public.String() + PathCallback }

func withReturn(f *failure, rd string) *failure {
	f.Return = rd
	return f
}

func withProvider(f *failure, p *Provider) *failure {
	if p != nil {
		f.Provider = p.name
	}
	return f
}
