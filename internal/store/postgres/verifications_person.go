package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/vigil-gw/vigil/internal/store"
)

// ApprovedEmails lists the distinct non-empty claimed emails (ASCII case
// folded) of personSubject's approved verifications, newest first, at most
// limit: the accounts a person was verified for. An empty subject, one no
// row could hold (see storable) or a limit below one lists nothing.
func (db *DB) ApprovedEmails(ctx context.Context, personSubject string, limit int) (_ []string, err error) {
	defer db.done("verification.approved_emails", time.Now(), &err)
	if personSubject == "" || limit < 1 || !storable(personSubject) {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT lower(claimed_email COLLATE "C") AS e FROM verifications
		WHERE person_subject = $1 AND status = $2 AND claimed_email <> ''
		GROUP BY e ORDER BY max(created_at) DESC NULLS LAST, e LIMIT $3`, personSubject, store.VerificationApproved, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: approved emails: %w", err)
	}
	out, err := collect(rows, func(r pgx.Row) (e string, err error) {
		err = r.Scan(&e)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: approved emails: %w", err)
	}
	return out, nil
}
