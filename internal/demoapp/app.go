package demoapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

// Verifier checks a Vigil assertion; *vigilauth.Verifier is the one to use.
type Verifier interface {
	Verify(ctx context.Context, token string) (*vigilauth.Claims, error)
}

var _ Verifier = (*vigilauth.Verifier)(nil)

// Config configures the demo app. Verifier is required.
type Config struct {
	Verifier Verifier
	// Header carries the assertion. Default vigilauth.DefaultHeader.
	Header string
	// Title is shown on the page. Default "Vigil demo app".
	Title string
	// LogoutPath is the gateway's sign-out URL. Default /.vigil/logout.
	LogoutPath string
	// StreamLines is how many lines /stream sends. Default 5.
	StreamLines int
	// StreamPause waits between streamed lines; it returns an error to stop
	// early. Default: sleep 500ms or until the request ends.
	StreamPause func(ctx context.Context) error
	// Clock stamps streamed lines. Default time.Now.
	Clock  func() time.Time
	Logger *slog.Logger
}

// App is the demo upstream application, an http.Handler.
type App struct {
	cfg   Config
	pages *pages
	mux   *http.ServeMux
}

// New returns the app or an error when cfg is unusable.
func New(cfg Config) (*App, error) {
	if cfg.Verifier == nil {
		return nil, errors.New("demoapp: Verifier is required")
	}
	if cfg.Header == "" {
		cfg.Header = vigilauth.DefaultHeader
	}
	if cfg.Title == "" {
		cfg.Title = "Vigil demo app"
	}
	if cfg.LogoutPath == "" {
		cfg.LogoutPath = "/.vigil/logout"
	}
	if cfg.StreamLines <= 0 {
		cfg.StreamLines = 5
	}
	if cfg.StreamPause == nil {
		cfg.StreamPause = sleep(500 * time.Millisecond)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	pg, err := newPages()
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, pages: pg, mux: http.NewServeMux()}
	a.mux.HandleFunc("GET /{$}", a.home)
	a.mux.HandleFunc("GET /api/whoami", a.whoami)
	a.mux.HandleFunc("GET /stream", a.stream)
	return a, nil
}

func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

func sleep(d time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// identity is what the app learned from one request.
type identity struct {
	Verified bool
	Error    string
	Claims   *vigilauth.Claims
	Token    string
	// Unexpected lists X-Vigil-* headers other than the assertion: the
	// gateway strips client-sent ones, so any here means it did not.
	Unexpected []string
}

func (a *App) identify(r *http.Request) identity {
	var id identity
	for name := range r.Header {
		if strings.HasPrefix(strings.ToLower(name), "x-vigil-") && !strings.EqualFold(name, a.cfg.Header) {
			id.Unexpected = append(id.Unexpected, name)
		}
	}
	slices.Sort(id.Unexpected)
	vals := r.Header.Values(a.cfg.Header)
	switch len(vals) {
	case 0:
		id.Error = fmt.Sprintf("no %s header: this request did not come through the Vigil gateway", a.cfg.Header)
		return id
	case 1:
		id.Token = vals[0]
	default:
		// Which copy the gateway set would be ambiguous.
		id.Error = fmt.Sprintf("%s header sent %d times", a.cfg.Header, len(vals))
		return id
	}
	c, err := a.cfg.Verifier.Verify(r.Context(), id.Token)
	if err != nil {
		a.cfg.Logger.InfoContext(r.Context(), "demo app: assertion rejected", "error", err)
		id.Error = err.Error()
		return id
	}
	id.Verified, id.Claims = true, c
	return id
}

func (a *App) home(w http.ResponseWriter, r *http.Request) {
	id := a.identify(r)
	d := pageData{
		Title: a.cfg.Title, LogoutPath: a.cfg.LogoutPath, ID: id,
		Claims: claimRows(id.Claims), Headers: headerRows(r, a.cfg.Header, id.Unexpected),
	}
	if err := a.pages.render(w, d); err != nil {
		a.cfg.Logger.ErrorContext(r.Context(), "demo app: render", "error", err)
	}
}

// whoamiResponse is the JSON of /api/whoami.
type whoamiResponse struct {
	Verified   bool              `json:"verified"`
	Error      string            `json:"error,omitempty"`
	Claims     map[string]any    `json:"claims,omitempty"`
	Unexpected []string          `json:"unexpected_vigil_headers,omitempty"`
	Headers    map[string]string `json:"headers"`
}

// whoami answers 200 with the claims, or 401 with the reason.
func (a *App) whoami(w http.ResponseWriter, r *http.Request) {
	id := a.identify(r)
	resp := whoamiResponse{Verified: id.Verified, Error: id.Error, Unexpected: id.Unexpected, Headers: map[string]string{}}
	for _, h := range headerRows(r, a.cfg.Header, nil) {
		resp.Headers[h.Name] = h.Value
	}
	if c := id.Claims; c != nil {
		resp.Claims = map[string]any{
			"iss": c.Issuer, "aud": c.Audience, "sub": c.Subject, "email": c.Email, "name": c.Name,
			"groups": c.Groups, "amr": c.AMR, "acr": c.ACR, "idp": c.IdP, "idp_sub": c.IdPSubject, "sid": c.SessionID,
			"auth_time": unixOrNil(c.AuthTime), "iat": unixOrNil(c.IssuedAt), "exp": unixOrNil(c.Expiry), "jti": c.ID,
			"verified": c.Verified,
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	status := http.StatusOK
	if !id.Verified {
		status = http.StatusUnauthorized
	}
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(resp); err != nil {
		a.cfg.Logger.InfoContext(r.Context(), "demo app: write whoami", "error", err)
	}
}

func unixOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}
