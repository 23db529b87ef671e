package server

import (
	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/admin/auditfile"
	"github.com/vigil-gw/vigil/internal/admin/reviewqueue"
	"github.com/vigil-gw/vigil/internal/assurance"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/policy"
)

// The admin API's optional parts, wired from the configuration.

// runningPolicy is an app's policy as the gateway runs it, for the admin
// API's policy test.
func (s *Server) runningPolicy(app string) (*policy.Policy, bool) {
	st := s.state.Load()
	if st == nil {
		return nil, false
	}
	pol, ok := st.policies[app]
	return pol, ok
}

// subscribers are the configured Shared Signals receivers.
func subscribers(cfg *config.Config) []assurance.Subscriber {
	var out []assurance.Subscriber
	for _, sc := range cfg.SSF.Subscribers {
		out = append(out, assurance.Subscriber{Name: sc.Name, Audience: sc.Audience})
	}
	return out
}

// adminReviews is the built-in verifier's review queue, nil without one.
// Images viewed and decisions made through it go to the audit log.
func (s *Server) adminReviews() admin.ReviewService {
	if s.idv == nil {
		return nil
	}
	return reviewqueue.New(s.idv, s.db, s.opts.Clock, s.audit)
}

// adminAudit searches log.audit when it is a file, nil otherwise.
func (s *Server) adminAudit(cfg *config.Config) admin.AuditSearcher {
	if s.auditFile == nil || s.audit == nil {
		return nil
	}
	return &auditfile.Searcher{Path: cfg.Log.Audit, Flush: func() error {
		err := s.audit.Flush()
		if err != nil {
			s.log.Error("audit log write failed", "err", err)
		}
		return err
	}}
}
