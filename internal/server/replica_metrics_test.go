package server_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
)

// TestReplicaMetrics: the feed's last sync time is recent once the
// follower runs, and the only replica holds the push lease when Shared
// Signals subscribers are configured (no gauge without them).
func TestReplicaMetrics(t *testing.T) {
	e := startRisk(t, func(c *config.Config) {
		c.SSF.Subscribers = []config.SSFSubscriber{{Name: "hr", Token: config.Secret{Value: "hr-app-stream-token-0123456789"}}}
	})
	eventually(t, "the feed synced recently", func() (bool, string) {
		v := metric(t, e.srv, "vigil_change_feed_synced_timestamp_seconds")
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false, v
		}
		age := time.Since(time.Unix(0, int64(f*1e9)))
		return age >= -time.Second && age < 5*time.Second, "value " + v
	})
	eventually(t, "pushing", func() (bool, string) {
		v := metric(t, e.srv, "vigil_ssf_pushing")
		return v == "1", "value " + v
	})

	plain := startShared(t, false)
	if v := metric(t, plain.srv, "vigil_ssf_pushing"); v != "absent" {
		t.Errorf("vigil_ssf_pushing without subscribers: %s", v)
	}
}
