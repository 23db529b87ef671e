package server

import (
	"github.com/prometheus/client_golang/prometheus"
)

// registerReplicaMetrics exposes what an operator of several replicas
// watches: how fresh each replica's view of the change feed is (alert when
// time() minus it nears store.max_stale, after which sessions are
// refused), and which replica pushes Shared Signals events.
func (s *Server) registerReplicaMetrics() {
	s.metrics.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "vigil_change_feed_synced_timestamp_seconds",
		Help: "When this replica last caught up with the store's change feed (Unix time); 0 before the first time.",
	}, func() float64 {
		t := s.follower.Synced()
		if t.IsZero() {
			return 0
		}
		return float64(t.UnixNano()) / 1e9
	}))
	if s.transmitter != nil {
		s.metrics.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "vigil_ssf_pushing",
			Help: "1 while this replica holds the lease to push Shared Signals events, else 0.",
		}, func() float64 {
			if s.transmitter.Pushing() {
				return 1
			}
			return 0
		}))
	}
}
