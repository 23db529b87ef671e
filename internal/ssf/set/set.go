package set

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// SET is a validated Security Event Token with its single event.
type SET struct {
	Issuer   string
	ID       string // jti
	IssuedAt time.Time
	Audience []string
	Txn      string
	// Subject is the top-level sub_id. Parse also accepts the legacy
	// "subject" member inside the event object and moves it here.
	Subject *Subject
	Event   string          // the event type URI
	Payload json.RawMessage // the event object; "{}" when empty
}

// Error codes of RFC 8935 section 2.4, which SSF 1.0 also uses for poll.
const (
	CodeInvalidRequest       = "invalid_request"
	CodeInvalidKey           = "invalid_key"
	CodeInvalidIssuer        = "invalid_issuer"
	CodeInvalidAudience      = "invalid_audience"
	CodeAuthenticationFailed = "authentication_failed"
	CodeAccessDenied         = "access_denied"
	CodeInvalidState         = "invalid_state"
)

// Error is a SET validation error. Code and Description may be sent to the
// transmitter; Err, the cause, is for the log only.
type Error struct {
	Code        string
	Description string
	Err         error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "set: " + e.Code + ": " + e.Description + ": " + e.Err.Error()
	}
	return "set: " + e.Code + ": " + e.Description
}

func (e *Error) Unwrap() error { return e.Err }

// ErrKeysUnavailable is wrapped by the Error that Parse returns when the
// issuer's keys could not be fetched. The SET may well be good: a push
// endpoint should answer 5xx so that the transmitter retries.
var ErrKeysUnavailable = errors.New("set: issuer keys unavailable")

func fail(code, desc string) *Error { return &Error{Code: code, Description: desc} }

// Limits on a SET; larger tokens are refused before any work is done.
const (
	MaxSize     = 64 << 10
	maxAudience = 16
	maxIDLen    = 256
)

// claims is the JWT claims set on the wire.
type claims struct {
	Iss    string                     `json:"iss"`
	Jti    string                     `json:"jti"`
	Iat    numericDate                `json:"iat"`
	Aud    audience                   `json:"aud,omitempty"`
	Txn    string                     `json:"txn,omitempty"`
	SubID  *Subject                   `json:"sub_id,omitempty"`
	Events map[string]json.RawMessage `json:"events"`
}

// audience is a JWT aud: one string or an array of strings (RFC 7519
// section 4.1.3). It is always written as an array.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)) {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = audience{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	*a = l
	return nil
}

// Validate checks that t can be sent: what Parse requires of a SET that
// does not depend on the receiver (issuer, jti, iat, audience, one event
// with an object, a valid subject when there is one).
func (t *SET) Validate() error {
	switch {
	case t.Issuer == "":
		return errors.New("set: no issuer")
	case t.ID == "" || len(t.ID) > maxIDLen:
		return fmt.Errorf("set: jti must be 1 to %d bytes", maxIDLen)
	case t.IssuedAt.IsZero():
		return errors.New("set: no issued-at time")
	case len(t.Audience) == 0 || len(t.Audience) > maxAudience:
		return fmt.Errorf("set: needs 1 to %d audiences", maxAudience)
	case t.Event == "":
		return errors.New("set: no event type")
	}
	for _, a := range t.Audience {
		if a == "" {
			return errors.New("set: empty audience")
		}
	}
	if t.Subject != nil {
		if err := t.Subject.Validate(); err != nil {
			return fmt.Errorf("set: sub_id: %w", err)
		}
	}
	if len(t.Payload) > 0 {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(t.Payload, &obj); err != nil || obj == nil {
			return errors.New("set: event payload must be a JSON object")
		}
	}
	return nil
}

// marshalClaims returns the JWT claims set of t.
func (t *SET) marshalClaims() ([]byte, error) {
	payload := t.Payload
	if len(payload) == 0 {
		payload = json.RawMessage("{}")
	}
	c := claims{
		Iss: t.Issuer, Jti: t.ID, Iat: numericDate(t.IssuedAt.Unix()), Aud: audience(t.Audience), Txn: t.Txn,
		SubID: t.Subject, Events: map[string]json.RawMessage{t.Event: payload},
	}
	return json.Marshal(c)
}

// numericDate is a JWT NumericDate: seconds since the epoch. Fractions are
// allowed on the wire (RFC 7519 section 2) and dropped; values outside
// year 0..9999 are refused.
type numericDate int64

const maxNumericDate = 253402300799 // 9999-12-31T23:59:59Z

func (d *numericDate) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("NumericDate: %w", err)
	}
	if f < 0 || f > maxNumericDate {
		return errors.New("NumericDate out of range")
	}
	*d = numericDate(f)
	return nil
}
