package assurance

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vigil-gw/vigil/internal/admin"
)

// Subscriber is a configured Shared Signals receiver (ssf.subscribers).
type Subscriber struct {
	Name, Audience string
}

// Delivery methods (RFC 8935 push, RFC 8936 poll) as stream configurations
// name them.
var deliveryNames = map[string]string{"urn:ietf:rfc:8935": "push", "urn:ietf:rfc:8936": "poll"}

// Streams lists every configured subscriber with the streams it created,
// their state and how many events wait for delivery.
func (s *Service) Streams(ctx context.Context) ([]admin.SubscriberView, error) {
	out := make([]admin.SubscriberView, 0, len(s.o.Subscribers))
	for _, sub := range s.o.Subscribers {
		v := admin.SubscriberView{Name: sub.Name, Audience: sub.Audience, Streams: []admin.StreamView{}}
		ss, err := s.o.Store.ListStreams(ctx, sub.Audience)
		if err != nil {
			return nil, fmt.Errorf("streams of %s: %w", sub.Name, err)
		}
		for _, st := range ss {
			sv := admin.StreamView{Subscriber: sub.Name, Audience: st.Audience, ID: st.ID, Status: st.Status,
				Reason: st.Reason, CreatedAt: st.CreatedAt, UpdatedAt: st.UpdatedAt}
			var cfg struct {
				Delivery struct {
					Method   string `json:"method"`
					Endpoint string `json:"endpoint_url"`
				} `json:"delivery"`
			}
			if json.Unmarshal(st.Config, &cfg) == nil {
				sv.Delivery = deliveryNames[cfg.Delivery.Method]
				if sv.Delivery == "" {
					sv.Delivery = cfg.Delivery.Method
				}
				if sv.Delivery == "push" {
					sv.Endpoint = cfg.Delivery.Endpoint
				}
			}
			if sv.Queued, err = s.o.Store.CountStreamEvents(ctx, st.ID); err != nil {
				return nil, fmt.Errorf("queued events of stream %s: %w", st.ID, err)
			}
			subs, err := s.o.Store.StreamSubjects(ctx, st.ID)
			if err != nil {
				return nil, fmt.Errorf("subjects of stream %s: %w", st.ID, err)
			}
			sv.Subjects = len(subs)
			v.Streams = append(v.Streams, sv)
		}
		out = append(out, v)
	}
	return out, nil
}
