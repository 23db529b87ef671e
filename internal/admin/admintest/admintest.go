// Package admintest serves the real admin API over a real SQLite store,
// session manager and built-in verifier, with one signed-in user, one app
// policy, one Shared Signals subscriber and an audit file, for the API's
// and the CLI's tests.
package admintest

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/admin/auditfile"
	"github.com/vigil-gw/vigil/internal/admin/reviewqueue"
	"github.com/vigil-gw/vigil/internal/assurance"
	"github.com/vigil-gw/vigil/internal/audit"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/evidence/ocr"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/mail"
	"github.com/vigil-gw/vigil/internal/oidcop"
	"github.com/vigil-gw/vigil/internal/policy"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
	"github.com/vigil-gw/vigil/internal/verifier"
)

// Token is the admin token of every test server.
const Token = "admin-api-test-token-0123456789"

// Names of what every test server has.
const (
	App        = "wiki"      // allows group eng, denies the rest
	Subscriber = "hr-portal" // an SSF subscriber without streams
	// ReviewID waits for review; DoneID was approved already.
	ReviewID = "vr-waiting-0001"
	DoneID   = "vr-decided-0002"
	// Evidence of ReviewID: a JPEG document photo, a PNG selfie and the
	// chip's data (JSON, not an image); DoneID has EvidenceDone.
	EvidenceDoc      = "ev-doc"
	EvidenceSelfie   = "ev-selfie"
	EvidenceChipData = "ev-chip-data"
	EvidenceDone     = "ev-decided-doc"
)

// Server is a running admin API with ada@example.com (group eng) signed
// in once.
type Server struct {
	*httptest.Server
	UserID    string // ada's
	SessionID string
	Sessions  *session.Manager
	Cookie    string // ada's session cookie value
	DB        *sqlite.DB
	Audit     *audit.Log
	AuditPath string
	// Evidence is each stored evidence record's content (sealed in the
	// store), by ID; nil without a verifier.
	Evidence map[string][]byte
	// The parts the API serves, for the console's tests.
	Service admin.Service
	Reviews admin.ReviewService // nil without a verifier
}

// Options change a test server.
type Options struct {
	NoVerifier bool // serve without a review queue
	NoAudit    bool // audit records not in a file
}

// New serves the admin API until the test ends.
func New(t testing.TB) *Server { return NewWith(t, Options{}) }

// NewWith serves the admin API with o until the test ends.
func NewWith(t testing.TB, o Options) *Server {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(t.Context(), filepath.Join(dir, "v.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m, err := session.New(session.Options{Store: db, MasterSecret: []byte("admin-test-master-secret-0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	cookie, s, err := m.Create(t.Context(), identity.Identity{Provider: "corp", Subject: "ada", Email: "ada@example.com", Name: "Ada",
		Groups: []string{"eng"}}, session.Meta{IP: "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Compile([]config.Rule{
		{Name: "engineers", Action: "allow", Include: []config.Selector{{Group: config.StringList{"eng"}}},
			Require: []config.Selector{{Risk: "medium"}}},
	}, "apps[0].policies")
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{UserID: s.UserID, SessionID: s.ID, Sessions: m, Cookie: cookie, DB: db}
	var searcher admin.AuditSearcher
	if !o.NoAudit {
		srv.AuditPath = filepath.Join(dir, "audit.log")
		f, err := os.OpenFile(srv.AuditPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		srv.Audit = audit.New(f)
		searcher = &auditfile.Searcher{Path: srv.AuditPath, Flush: srv.Audit.Flush}
	}
	svc, err := assurance.New(assurance.Options{Store: db, Sessions: m, Engine: risk.NewEngine(risk.Thresholds{Medium: 40, High: 70}),
		Audit:       srv.Audit,
		Policy:      func(app string) (*policy.Policy, bool) { return pol, app == App },
		Subscribers: []assurance.Subscriber{{Name: Subscriber, Audience: "https://hr.example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	var reviews admin.ReviewService
	if !o.NoVerifier {
		reviews, srv.Evidence = newReviews(t, db, srv.Audit)
	}
	srv.Service, srv.Reviews = svc, reviews
	api, err := admin.New(admin.Options{Token: []byte(Token), Service: svc, Reviews: reviews, Audit: searcher})
	if err != nil {
		t.Fatal(err)
	}
	srv.Server = httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv
}

// steps is a verification finished up to review (the verifier's JSON,
// internal/verifier/steps.go), its face match borderline.
const steps = `{
 "email": {"address": "bob@example.com", "verified_at": "2026-03-01T09:50:00Z"},
 "document": {"evidence_id": "ev-doc", "checked_at": "2026-03-01T09:55:00Z", "corrected": false, "fields": {
   "code": "P", "issuing_state": "UTO", "number": "L898902C3", "surname": "ERIKSSON",
   "given_names": ["ANNA", "MARIA"], "nationality": "UTO", "birth_date": "1974-08-12",
   "expiry": "2099-04-15", "sex": "F"}},
 "selfie": {"evidence_id": "ev-selfie", "at": "2026-03-01T09:58:00Z"},
 "face": {"reference": "document-front", "distance": 0.52, "threshold": 0.5, "margin": 0.05, "decision": "borderline"},
 "finished_at": "2026-03-01T09:58:00Z"
}`

// newReviews is the review queue of a real verifier with two stored
// verifications, ReviewID waiting and DoneID approved, and their evidence
// sealed as the verifier seals it; aw gets the queue's audit records.
func newReviews(t testing.TB, db *sqlite.DB, aw *audit.Log) (admin.ReviewService, map[string][]byte) {
	t.Helper()
	master := []byte("admin-test-master-secret-0123456789abcdef")
	v, err := verifier.New(verifier.Config{
		Issuer:  "https://idv.example.com",
		Clients: []oidcop.Client{{ID: "gw", RedirectURIs: []string{"https://gw.example.com/callback"}}},
		Master:  master, Store: db, Mail: mail.NewDevMailbox(io.Discard), OCR: &ocr.Reader{},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, rec := range []store.Verification{
		{ID: ReviewID, Rung: "document-review", Status: store.VerificationReview, ClaimedEmail: "bob@example.com",
			ClaimedName: "Anna Maria Eriksson", Reasons: []string{verifier.ReasonManualReview}, Steps: []byte(steps),
			CreatedAt: now.Add(-time.Hour), UpdatedAt: now, ExpiresAt: now.Add(24 * time.Hour)},
		{ID: DoneID, Rung: "document-review", Status: store.VerificationApproved, ClaimedEmail: "eve@example.com",
			Steps: []byte(steps), Reviewer: "admin:jane", ReviewedAt: now, CreatedAt: now.Add(-2 * time.Hour), UpdatedAt: now,
			ExpiresAt: now.Add(24 * time.Hour)},
	} {
		if err := db.CreateVerification(t.Context(), &rec); err != nil {
			t.Fatal(err)
		}
	}
	evidence := putEvidence(t, db, master, now)
	return reviewqueue.New(v, db, nil, aw), evidence
}
