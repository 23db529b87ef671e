package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// AuditQuery selects audit records; empty fields match any.
type AuditQuery struct {
	User     string // a user ID
	App      string
	Decision string // exact, e.g. allow, deny, revoke, raise:medium
	Since    time.Time
	Limit    int
}

// AuditSearcher reads the audit log. It fails with ErrConflict when the
// records are not kept where it can read them (stdout, off).
type AuditSearcher interface {
	// SearchAudit returns matching records, newest first, at most
	// q.Limit, and whether it stopped before the log's beginning.
	SearchAudit(ctx context.Context, q AuditQuery) (records []json.RawMessage, truncated bool, err error)
}

// Bounds of GET /audit.
const (
	DefaultAuditLimit = 100
	MaxAuditLimit     = 1000
)

func (a *API) searchAudit(_ http.ResponseWriter, r *http.Request) (any, error) {
	if a.audit == nil {
		return nil, fmt.Errorf("%w: audit records are not written to a file here (log.audit is stdout or off): search them where they are collected", ErrConflict)
	}
	qs := r.URL.Query()
	limit, err := limitParam(r, DefaultAuditLimit, MaxAuditLimit)
	if err != nil {
		return nil, err
	}
	q := AuditQuery{App: qs.Get("app"), Decision: qs.Get("decision"), Limit: limit}
	if u := qs.Get("user"); u != "" {
		// A user no longer in the store still has records: take an ID as is.
		if id, err := a.svc.ResolveUser(r.Context(), u); err == nil {
			q.User = id
		} else {
			q.User = u
		}
	}
	if s := qs.Get("since"); s != "" {
		t, err := ParseSince(s, a.clock())
		if err != nil {
			return nil, err
		}
		q.Since = t
	}
	recs, trunc, err := a.audit.SearchAudit(r.Context(), q)
	if err != nil {
		return nil, err
	}
	if recs == nil {
		recs = []json.RawMessage{}
	}
	return map[string]any{"records": recs, "truncated": trunc}, nil
}

// ParseSince takes an RFC 3339 time or a duration back from now ("24h"):
// what GET /audit's since means, for the console and the CLI to read alike.
func ParseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%w: since is an RFC 3339 time or a duration such as 24h", ErrInvalid)
}
