package transmitter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/vigil-gw/vigil/internal/ssf/set"
)

// Events Vigil emits about users (Emit) and the SSF events it sends on its
// own; all are listed as events_supported.
var (
	userEvents = []string{set.CAEPSessionRevoked, set.CAEPRiskLevelChange,
		set.CAEPAssuranceLevelChange, set.CAEPSessionEstablished}
	supportedEvents = append(slices.Clone(userEvents), set.SSFVerification, set.SSFStreamUpdated)
)

// Bounds on what a receiver sends; the body itself is bounded by maxBody.
const (
	maxBody            = 64 << 10
	maxRequested       = 64
	maxEventURI        = 512
	maxDescription     = 256 // runes; longer ones are truncated (SSF allows it)
	maxEndpointURL     = 2048
	maxAuthHeader      = 4096
	maxReason          = 256
	maxVerifyState     = 1024
	maxPollEvents      = 100
	defaultPollEvents  = 25
	maxPollAcks        = 1000
	maxErrDescription  = 256
	descriptionPostfix = "…"
)

// Delivery is the delivery member of a stream configuration.
type Delivery struct {
	Method              string `json:"method"`
	EndpointURL         string `json:"endpoint_url,omitempty"`
	AuthorizationHeader string `json:"authorization_header,omitempty"`
}

// configRequest is a stream configuration as a receiver sends it. Pointers
// tell a missing member (PATCH: unchanged) from an empty one.
type configRequest struct {
	StreamID                *string   `json:"stream_id"`
	Iss                     *string   `json:"iss"`
	Aud                     audience  `json:"aud"`
	EventsSupported         *[]string `json:"events_supported"`
	EventsRequested         *[]string `json:"events_requested"`
	EventsDelivered         *[]string `json:"events_delivered"`
	Delivery                *Delivery `json:"delivery"`
	MinVerificationInterval *int64    `json:"min_verification_interval"`
	Description             *string   `json:"description"`
}

// audience is a JWT-style aud: one string or an array of them.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("aud must be a string or an array of strings")
	}
	if many == nil {
		many = []string{}
	}
	*a = many
	return nil
}

// storedConfig is what store.Stream.Config holds: the receiver-supplied
// members. The transmitter-supplied ones are derived when shown, so that
// they follow the running version.
type storedConfig struct {
	EventsRequested []string `json:"events_requested,omitempty"`
	Delivery        Delivery `json:"delivery"`
	Description     string   `json:"description,omitempty"`
}

// streamView is a stream configuration as the transmitter shows it.
type streamView struct {
	StreamID                string   `json:"stream_id"`
	Iss                     string   `json:"iss"`
	Aud                     string   `json:"aud"`
	Delivery                Delivery `json:"delivery"`
	EventsSupported         []string `json:"events_supported"`
	EventsRequested         []string `json:"events_requested,omitempty"`
	EventsDelivered         []string `json:"events_delivered"`
	MinVerificationInterval int64    `json:"min_verification_interval"`
	Description             string   `json:"description,omitempty"`
}

// decodeConfig reads a stream configuration sent by a receiver and checks
// the shape of every member; whether the values fit the stream is apply's
// and matchSupplied's job.
func decodeConfig(b []byte) (*configRequest, error) {
	if len(b) > maxBody {
		return nil, errors.New("request body too large")
	}
	var c configRequest
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&c); err != nil {
		return nil, errors.New("request body is not a JSON stream configuration")
	}
	if dec.More() {
		return nil, errors.New("request body has data after the configuration")
	}
	if c.EventsRequested != nil {
		if len(*c.EventsRequested) > maxRequested {
			return nil, fmt.Errorf("events_requested lists more than %d events", maxRequested)
		}
		for _, e := range *c.EventsRequested {
			if e == "" || len(e) > maxEventURI {
				return nil, errors.New("events_requested holds an empty or overlong URI")
			}
		}
	}
	if d := c.Delivery; d != nil {
		switch {
		case d.Method != MethodPush && d.Method != MethodPoll:
			return nil, fmt.Errorf("delivery method must be %s or %s", MethodPush, MethodPoll)
		case len(d.EndpointURL) > maxEndpointURL:
			return nil, errors.New("delivery endpoint_url too long")
		case len(d.AuthorizationHeader) > maxAuthHeader || !validHeaderValue(d.AuthorizationHeader):
			return nil, errors.New("delivery authorization_header is not a valid header value")
		}
	}
	if c.Description != nil && !utf8.ValidString(*c.Description) {
		return nil, errors.New("description is not UTF-8")
	}
	return &c, nil
}

// validHeaderValue refuses control characters, which would split headers.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// apply returns the configuration that results from req: on top of cur
// for PATCH, from nothing for POST and PUT (missing members deleted).
func (t *Transmitter) apply(req *configRequest, cur storedConfig, rcv *receiver) (storedConfig, error) {
	next := cur
	if req.EventsRequested != nil {
		next.EventsRequested = nil
		for _, e := range *req.EventsRequested {
			if !slices.Contains(next.EventsRequested, e) {
				next.EventsRequested = append(next.EventsRequested, e)
			}
		}
	}
	if req.Description != nil {
		next.Description = truncateRunes(*req.Description, maxDescription)
	}
	if req.Delivery != nil {
		next.Delivery = *req.Delivery
	}
	switch next.Delivery.Method {
	case "", MethodPoll:
		// The transmitter supplies the poll URL; a receiver's is ignored.
		next.Delivery = Delivery{Method: MethodPoll}
	case MethodPush:
		if err := allowedPush(next.Delivery.EndpointURL, rcv.prefixes); err != nil {
			return storedConfig{}, err
		}
	}
	return next, nil
}

// matchSupplied checks the transmitter-supplied members a receiver may
// repeat: each one present must have the value the transmitter shows.
func matchSupplied(req *configRequest, want *streamView) error {
	sameSet := func(a, b []string) bool {
		return !slices.ContainsFunc(a, func(s string) bool { return !slices.Contains(b, s) }) &&
			!slices.ContainsFunc(b, func(s string) bool { return !slices.Contains(a, s) })
	}
	switch {
	case req.StreamID != nil && *req.StreamID != want.StreamID:
		return errors.New("stream_id does not match")
	case req.Iss != nil && *req.Iss != want.Iss:
		return errors.New("iss does not match the transmitter's issuer")
	case req.Aud != nil && !sameSet(req.Aud, []string{want.Aud}):
		return errors.New("aud does not match the stream's audience")
	case req.EventsSupported != nil && !sameSet(*req.EventsSupported, want.EventsSupported):
		return errors.New("events_supported does not match")
	case req.EventsDelivered != nil && !sameSet(*req.EventsDelivered, want.EventsDelivered):
		return errors.New("events_delivered does not match the stream's current value")
	case req.MinVerificationInterval != nil && *req.MinVerificationInterval != want.MinVerificationInterval:
		return errors.New("min_verification_interval does not match")
	}
	return nil
}

// delivered is events_delivered: the supported events requested, in the
// transmitter's order.
func delivered(requested []string) []string {
	out := []string{}
	for _, e := range supportedEvents {
		if slices.Contains(requested, e) {
			out = append(out, e)
		}
	}
	return out
}

// view shows a stream's configuration.
func (t *Transmitter) view(id, aud string, c storedConfig) *streamView {
	d := c.Delivery
	if d.Method == MethodPoll {
		d.EndpointURL = t.pollURL(id)
	}
	return &streamView{
		StreamID: id, Iss: t.issuer, Aud: aud, Delivery: d,
		EventsSupported: supportedEvents, EventsRequested: c.EventsRequested,
		EventsDelivered: delivered(c.EventsRequested), Description: c.Description,
		MinVerificationInterval: int64(t.minVerify.Seconds()),
	}
}

func (t *Transmitter) pollURL(id string) string {
	return t.issuer + t.base + "/poll/" + url.PathEscape(id)
}

// allowedPush checks a push endpoint against the receiver's prefixes: same
// scheme and host, and a path at or below the prefix's path. Dot segments
// are refused, since the receiver's server would resolve them.
func allowedPush(raw string, prefixes []*url.URL) error {
	if len(prefixes) == 0 {
		return errPushNotAllowed
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return errors.New("delivery endpoint_url must be an absolute URL without user or fragment")
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return errPushNotAllowed
		}
	}
	for _, p := range prefixes {
		if !strings.EqualFold(u.Scheme, p.Scheme) || !strings.EqualFold(u.Host, p.Host) {
			continue
		}
		pre := strings.TrimSuffix(p.Path, "/")
		if pre == "" || u.Path == pre || strings.HasPrefix(u.Path, pre+"/") {
			return nil
		}
	}
	return errPushNotAllowed
}

var errPushNotAllowed = errors.New("delivery endpoint_url is not an allowed push endpoint for this receiver")

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + descriptionPostfix
}

func decodeStored(b []byte) (storedConfig, error) {
	var c storedConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return storedConfig{}, fmt.Errorf("transmitter: stored stream configuration: %w", err)
	}
	return c, nil
}
