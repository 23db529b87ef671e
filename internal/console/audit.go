package console

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/audit"
	"github.com/vigil-gw/vigil/internal/httperr"
)

// auditOff is shown instead of a search when the records are not in a file
// this process can read.
const auditOff = "Audit records are not written to a file here (log.audit is stdout or off): search them where they are collected."

// maxAudit bounds one audit search.
const maxAudit = 200

// auditPage is the audit search form and its results.
type auditPage struct {
	Off       string
	User      string // as typed
	App       string
	Decision  string
	Since     string
	Records   []auditRow
	Truncated bool
}

func (p *auditPage) Any() bool {
	return p.User != "" || p.App != "" || p.Decision != "" || p.Since != ""
}

// auditRow is a record as the table shows it; Raw when it did not decode.
type auditRow struct {
	audit.Record
	Raw string
}

// auditSearch finds audit records, newest first.
func (h *Handler) auditSearch(w http.ResponseWriter, r *http.Request) error {
	qs := r.URL.Query()
	p := &auditPage{User: strings.TrimSpace(qs.Get("user")), App: strings.TrimSpace(qs.Get("app")),
		Decision: strings.TrimSpace(qs.Get("decision")), Since: strings.TrimSpace(qs.Get("since"))}
	d := pageData{Page: "audit", Title: "Audit log", Admin: adminFrom(r.Context()), Audit: p}
	if h.opt.Audit == nil {
		p.Off = auditOff
		return h.pages.render(w, http.StatusOK, d)
	}
	q := admin.AuditQuery{App: p.App, Decision: p.Decision, Limit: maxAudit}
	if p.User != "" {
		// A user no longer in the store still has records: take an ID as is.
		q.User = p.User
		if id, err := h.opt.Service.ResolveUser(r.Context(), p.User); err == nil {
			q.User = id
		}
	}
	if p.Since != "" {
		t, err := parseSince(p.Since, h.opt.Clock())
		if err != nil {
			return err
		}
		q.Since = t
	}
	recs, trunc, err := h.opt.Audit.SearchAudit(r.Context(), q)
	if err != nil {
		return serviceError(err)
	}
	p.Truncated = trunc
	for _, raw := range recs {
		var row auditRow
		if err := json.Unmarshal(raw, &row.Record); err != nil {
			row = auditRow{Raw: string(raw)}
		}
		p.Records = append(p.Records, row)
	}
	d.Shown = len(p.Records)
	return h.pages.render(w, http.StatusOK, d)
}

// parseSince reads since as the admin API does, refusing it with a page
// that says what is wanted.
func parseSince(s string, now time.Time) (time.Time, error) {
	t, err := admin.ParseSince(s, now)
	if err != nil {
		return time.Time{}, &httperr.Error{Status: http.StatusBadRequest, Code: "bad-since", Title: "Not done",
			Public: "Since is an RFC 3339 time (2026-03-01T00:00:00Z) or a duration back from now, such as 24h.", Err: err}
	}
	return t, nil
}

// streams lists the Shared Signals subscribers and the streams they made.
func (h *Handler) streams(w http.ResponseWriter, r *http.Request) error {
	subs, err := h.opt.Service.Streams(r.Context())
	if err != nil {
		return serviceError(err)
	}
	return h.pages.render(w, http.StatusOK, pageData{Page: "streams", Title: "Shared Signals streams",
		Admin: adminFrom(r.Context()), Subscribers: subs, Shown: len(subs)})
}
