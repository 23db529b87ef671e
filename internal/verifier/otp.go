package verifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vigil-gw/vigil/internal/evidence/email"
)

// maxOTPRecord bounds a stored one-time-code record; a real one holds a
// digest and a handful of timestamps.
const maxOTPRecord = 16 << 10

// otpStore keeps email.Challenge and email.Mailbox as JSON records through
// Store.UpdateOTP, which makes each update atomic.
type otpStore struct{ db Store }

var _ email.Store = otpStore{}

// Update implements email.Store. Keys are prefixed so that a verification
// ID can never collide with a mailbox key.
func (s otpStore) Update(ctx context.Context, verificationID, mailboxKey string, fn func(*email.Challenge, *email.Mailbox) error) error {
	return s.db.UpdateOTP(ctx, "challenge:"+verificationID, "mailbox:"+mailboxKey, func(chRaw, mbRaw []byte) ([]byte, []byte, error) {
		var ch email.Challenge
		var mb email.Mailbox
		if err := decodeOTP(chRaw, &ch); err != nil {
			return chRaw, mbRaw, err
		}
		if err := decodeOTP(mbRaw, &mb); err != nil {
			return chRaw, mbRaw, err
		}
		fnErr := fn(&ch, &mb)
		chOut, err1 := encodeOTP(&ch, ch.IsZero())
		mbOut, err2 := encodeOTP(&mb, mb.IsZero())
		if err := errors.Join(err1, err2); err != nil {
			// Keep what was stored: a record we cannot write must not be lost.
			return chRaw, mbRaw, err
		}
		return chOut, mbOut, fnErr
	})
}

// decodeOTP reads a stored record; nil or empty is the zero record.
func decodeOTP(raw []byte, v any) error {
	if len(raw) == 0 {
		return nil
	}
	if len(raw) > maxOTPRecord {
		return fmt.Errorf("verifier: one-time-code record of %d bytes", len(raw))
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("verifier: one-time-code record: %w", err)
	}
	return nil
}

// encodeOTP returns nil for a zero record, which tells the store to delete it.
func encodeOTP(v any, zero bool) ([]byte, error) {
	if zero {
		return nil, nil
	}
	return json.Marshal(v)
}
