package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// otpLock is the first key of the advisory locks UpdateOTP takes on its
// records' keys (the second is a hash of the key).
const otpLock = 0x56494733 // "VIG3"

// UpdateOTP reads the one-time-code records challengeKey and mailboxKey
// (opaque JSON owned by the verifier; nil when absent), passes them to fn
// and saves what fn returns, all in one transaction that holds an advisory
// lock on each key, taken in hash order: concurrent callers on the same keys
// run one after the other on every replica, even for records that do not
// exist yet (which a row lock could not cover), so no try or send is lost.
// A nil result deletes that record.
//
// The results are saved even when fn returns an error, so that a wrong code
// still counts as a try; fn's error is then returned as is. fn must therefore
// return the current bytes for a record it does not mean to change, also on
// error: returning nil deletes it. fn runs while the locks are held: it must
// be quick and must not call the store. It runs once: unlike other writes,
// this transaction is not retried.
func (db *DB) UpdateOTP(ctx context.Context, challengeKey, mailboxKey string,
	fn func(challenge, mailbox []byte) ([]byte, []byte, error)) (err error) {
	defer db.done("otp.update", time.Now(), &err)
	if challengeKey == "" || mailboxKey == "" || challengeKey == mailboxKey {
		return errors.New("postgres: OTP keys must be non-empty and distinct")
	}
	var fnErr error
	err = db.tryTx(ctx, "update otp", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, h)
			FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($2::text[]) AS k ORDER BY h) AS keys`,
			otpLock, []string{challengeKey, mailboxKey}); err != nil {
			return fmt.Errorf("postgres: update otp: lock: %w", err)
		}
		challenge, mailbox, err := readOTP(ctx, tx, challengeKey, mailboxKey)
		if err != nil {
			return err
		}
		// fn gets copies, so that editing them in place still reads as a change.
		var newChallenge, newMailbox []byte
		newChallenge, newMailbox, fnErr = fn(bytes.Clone(challenge), bytes.Clone(mailbox))
		now := db.now()
		for _, r := range []struct {
			key       string
			old, next []byte
		}{
			{challengeKey, challenge, newChallenge},
			{mailboxKey, mailbox, newMailbox},
		} {
			// An unchanged record is not rewritten: reading must not extend
			// its life past PurgeOTP.
			if (r.old == nil) == (r.next == nil) && bytes.Equal(r.old, r.next) {
				continue
			}
			if err := writeOTP(ctx, tx, r.key, r.next, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return fnErr
}

// readOTP returns both records, nil for an absent one and empty (not nil)
// for an empty one.
func readOTP(ctx context.Context, tx pgx.Tx, challengeKey, mailboxKey string) (challenge, mailbox []byte, err error) {
	rows, err := tx.Query(ctx, `SELECT key, value FROM otp_records WHERE key = ANY($1)`,
		[]string{challengeKey, mailboxKey})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: update otp: read: %w", err)
	}
	var (
		key   string
		value []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&key, &value}, func() error {
		if value == nil { // cannot happen (NOT NULL), but absent must stay apart from empty
			value = []byte{}
		}
		if key == challengeKey {
			challenge = value
		} else {
			mailbox = value
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: update otp: read: %w", err)
	}
	return challenge, mailbox, nil
}

func writeOTP(ctx context.Context, tx pgx.Tx, key string, value []byte, now time.Time) error {
	var err error
	if value == nil {
		_, err = tx.Exec(ctx, `DELETE FROM otp_records WHERE key = $1`, key)
	} else {
		// A non-nil empty value is sent as empty bytes, not NULL.
		_, err = tx.Exec(ctx, `INSERT INTO otp_records (key, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			key, value, now)
	}
	if err != nil {
		return fmt.Errorf("postgres: update otp: write: %w", err)
	}
	return nil
}

// PurgeOTP removes one-time-code records last written before updatedBefore
// and returns how many. Write times come from Options.Now.
func (db *DB) PurgeOTP(ctx context.Context, updatedBefore time.Time) (_ int, err error) {
	defer db.done("otp.purge", time.Now(), &err)
	return db.deleteCount(ctx, "purge otp", `DELETE FROM otp_records WHERE updated_at < $1`, updatedBefore)
}
