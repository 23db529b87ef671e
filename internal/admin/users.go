package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// UserSummary is one line of the user list.
type UserSummary struct {
	ID         string    `json:"id"`
	Provider   string    `json:"provider"`
	Email      string    `json:"email,omitempty"`
	Name       string    `json:"name,omitempty"`
	Level      string    `json:"verification_level,omitempty"`
	Risk       string    `json:"risk"`
	Sessions   int       `json:"sessions"`
	LastSeenAt time.Time `json:"last_seen_at,omitzero"`
}

// UserView is one user: who the identity provider says they are, their
// latest verification, their risk and how many sessions they hold.
type UserView struct {
	ID       string   `json:"id"`
	Provider string   `json:"provider"`
	Subject  string   `json:"subject"`
	Email    string   `json:"email,omitempty"`
	Name     string   `json:"name,omitempty"`
	Groups   []string `json:"groups"` // from the latest session; empty without one
	// Verification is the latest identity verification; nil when none.
	Verification *VerificationView `json:"verification,omitempty"`
	Risk         RiskView          `json:"risk"`
	Sessions     int               `json:"sessions"`
	FirstSeenAt  time.Time         `json:"first_seen_at,omitzero"`
	LastSeenAt   time.Time         `json:"last_seen_at,omitzero"`
}

// VerificationView is a user's latest verification. Evidence names the
// kinds of evidence and the checks made, never images, document numbers
// or dates of birth.
type VerificationView struct {
	Provider        string    `json:"provider"`
	Level           string    `json:"level,omitempty"`
	TrustFramework  string    `json:"trust_framework,omitempty"`
	Methods         []string  `json:"methods,omitempty"`
	VerifiedAt      time.Time `json:"verified_at,omitzero"`
	DocumentCountry string    `json:"document_country,omitempty"`
	Evidence        []string  `json:"evidence,omitempty"`
}

// Bounds of GET /users.
const (
	DefaultUserLimit = 100
	MaxUserLimit     = 1000
)

// limitParam reads ?limit=, def when absent.
func limitParam(r *http.Request, def, maxN int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxN {
		return 0, fmt.Errorf("%w: limit must be 1..%d", ErrInvalid, maxN)
	}
	return n, nil
}

func (a *API) listUsers(_ http.ResponseWriter, r *http.Request) (any, error) {
	limit, err := limitParam(r, DefaultUserLimit, MaxUserLimit)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query().Get("query")
	if len(q) > 200 {
		return nil, fmt.Errorf("%w: query is at most 200 bytes", ErrInvalid)
	}
	us, err := a.svc.Users(r.Context(), q, limit)
	if err != nil {
		return nil, err
	}
	if us == nil {
		us = []UserSummary{}
	}
	return map[string]any{"users": us}, nil
}

func (a *API) showUser(_ http.ResponseWriter, r *http.Request) (any, error) {
	id, err := a.user(r)
	if err != nil {
		return nil, err
	}
	return a.svc.User(r.Context(), id)
}
