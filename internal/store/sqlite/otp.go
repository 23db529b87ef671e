package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// UpdateOTP reads the one-time-code records challengeKey and mailboxKey
// (opaque JSON owned by the verifier; nil when absent), passes them to fn
// and saves what fn returns, all in one write transaction: concurrent
// callers on the same keys run one after the other, so no try or send is
// lost. A nil result deletes that record.
//
// The results are saved even when fn returns an error, so that a wrong code
// still counts as a try; fn's error is then returned as is. fn must therefore
// return the current bytes for a record it does not mean to change, also on
// error: returning nil deletes it. fn runs while the database's write lock is
// held: it must be quick and must not call the store.
func (db *DB) UpdateOTP(ctx context.Context, challengeKey, mailboxKey string,
	fn func(challenge, mailbox []byte) ([]byte, []byte, error)) (err error) {
	defer db.done("otp.update", time.Now(), &err)
	if challengeKey == "" || mailboxKey == "" || challengeKey == mailboxKey {
		return errors.New("sqlite: OTP keys must be non-empty and distinct")
	}
	tx, err := db.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the lock is taken before the reads
	if err != nil {
		return fmt.Errorf("sqlite: update otp: %w", err)
	}
	defer rollback(tx)
	challenge, err := readOTP(ctx, tx, challengeKey)
	if err != nil {
		return err
	}
	mailbox, err := readOTP(ctx, tx, mailboxKey)
	if err != nil {
		return err
	}
	// fn gets copies, so that editing them in place still reads as a change.
	newChallenge, newMailbox, fnErr := fn(bytes.Clone(challenge), bytes.Clone(mailbox))
	now := db.now().UnixMicro()
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
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: update otp: %w", err)
	}
	return fnErr
}

func readOTP(ctx context.Context, tx *sql.Tx, key string) ([]byte, error) {
	var b []byte
	err := tx.QueryRowContext(ctx, `SELECT value FROM otp_records WHERE key = ?`, key).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update otp: read: %w", err)
	}
	if b == nil { // an empty stored value is still a record
		b = []byte{}
	}
	return b, nil
}

func writeOTP(ctx context.Context, tx *sql.Tx, key string, value []byte, now int64) error {
	var err error
	if value == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM otp_records WHERE key = ?`, key)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO otp_records (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			key, value, now)
	}
	if err != nil {
		return fmt.Errorf("sqlite: update otp: write: %w", err)
	}
	return nil
}

// PurgeOTP removes one-time-code records last written before updatedBefore
// and returns how many. Write times come from Options.Now.
func (db *DB) PurgeOTP(ctx context.Context, updatedBefore time.Time) (_ int, err error) {
	defer db.done("otp.purge", time.Now(), &err)
	return db.deleteCount(ctx, "purge otp", `DELETE FROM otp_records WHERE updated_at < ?`, updatedBefore.UnixMicro())
}
