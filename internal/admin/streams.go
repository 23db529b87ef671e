package admin

import (
	"net/http"
	"time"
)

// StreamView is one Shared Signals stream a subscriber created.
type StreamView struct {
	Subscriber string    `json:"subscriber"` // ssf.subscribers[].name
	Audience   string    `json:"audience"`
	ID         string    `json:"id"`
	Delivery   string    `json:"delivery"` // push or poll URN's last part: "push", "poll"
	Endpoint   string    `json:"endpoint,omitempty"`
	Status     string    `json:"status"` // enabled, paused, disabled
	Reason     string    `json:"reason,omitempty"`
	Queued     int       `json:"queued"` // events waiting for delivery
	Subjects   int       `json:"subjects"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// SubscriberView is a configured subscriber and its streams (none until it
// created one).
type SubscriberView struct {
	Name     string       `json:"name"`
	Audience string       `json:"audience"`
	Streams  []StreamView `json:"streams"`
}

func (a *API) listStreams(_ http.ResponseWriter, r *http.Request) (any, error) {
	subs, err := a.svc.Streams(r.Context())
	if err != nil {
		return nil, err
	}
	if subs == nil {
		subs = []SubscriberView{}
	}
	return map[string]any{"subscribers": subs}, nil
}
