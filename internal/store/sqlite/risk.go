package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

const riskColumns = `id, user_id, kind, severity, reason, evidence, source, at, expires_at, cleared_at, cleared_by`

// AddRiskFactor stores f and appends a store.ChangeRisk for its user in the
// same transaction, so that every process reloads the user's risk. It fails
// with store.ErrConflict when a factor with f.ID exists. A factor must name
// its user and kind, carry a severity of 1 to 100 and expire after it starts.
func (db *DB) AddRiskFactor(ctx context.Context, f *store.RiskFactor) (err error) {
	defer db.done("risk.add", time.Now(), &err)
	if err := f.Check(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	ev, err := encodeEvidence(f.Evidence)
	if err != nil {
		return err
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: add risk factor: %w", err)
	}
	defer rollback(tx)
	res, err := tx.ExecContext(ctx, `INSERT INTO risk_factors (`+riskColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		f.ID, f.UserID, f.Kind, f.Severity, f.Reason, ev, f.Source, ts(f.At), ts(f.ExpiresAt),
		ts(f.ClearedAt), f.ClearedBy)
	if err != nil {
		return fmt.Errorf("sqlite: add risk factor: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: add risk factor: %w", err)
	} else if n == 0 {
		return store.ErrConflict
	}
	if err := appendRiskChange(ctx, tx, f.UserID, f.At); err != nil {
		return fmt.Errorf("sqlite: add risk factor: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: add risk factor: %w", err)
	}
	return nil
}

// appendRiskChange records in the change feed that userID's factors changed.
func appendRiskChange(ctx context.Context, tx *sql.Tx, userID string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO changes (kind, key, at) VALUES (?, ?, ?)`,
		store.ChangeRisk, userID, at.UnixMicro())
	return err
}

// RiskFactors returns every factor of userID, cleared and expired ones
// included, oldest first (nil when there are none).
func (db *DB) RiskFactors(ctx context.Context, userID string) (_ []store.RiskFactor, err error) {
	defer db.done("risk.list", time.Now(), &err)
	rows, err := db.r.QueryContext(ctx, `SELECT `+riskColumns+` FROM risk_factors
		WHERE user_id = ? ORDER BY at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: risk factors: %w", err)
	}
	out, err := scanRiskFactors(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: risk factors: %w", err)
	}
	return out, nil
}

// ActiveRiskFactors returns every uncleared factor, of every user, that
// expires after now, oldest first. It is the start-up warm-up of the risk
// engine, so it reads through the partial index on expiry.
func (db *DB) ActiveRiskFactors(ctx context.Context, now time.Time) (_ []store.RiskFactor, err error) {
	defer db.done("risk.active", time.Now(), &err)
	rows, err := db.r.QueryContext(ctx, `SELECT `+riskColumns+` FROM risk_factors
		WHERE cleared_at IS NULL AND expires_at > ? ORDER BY at, id`, now.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("sqlite: active risk factors: %w", err)
	}
	out, err := scanRiskFactors(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: active risk factors: %w", err)
	}
	return out, nil
}

// ClearRiskFactors clears userID's active factors (uncleared, expiring after
// at) of the given kinds, stamping them with at and by, and reports how
// many it cleared. nil kinds means every kind; an empty non-nil list clears
// nothing, so that a caller's filter that matched no kind never wipes the
// user's whole risk. When it clears something it appends a
// store.ChangeRisk in the same transaction.
func (db *DB) ClearRiskFactors(ctx context.Context, userID string, kinds []string, at time.Time, by string) (n int, err error) {
	defer db.done("risk.clear", time.Now(), &err)
	if userID == "" {
		return 0, errors.New("sqlite: clearing risk needs a UserID")
	}
	if at.IsZero() {
		return 0, errors.New("sqlite: clearing risk needs a time")
	}
	if kinds != nil && len(kinds) == 0 {
		return 0, nil
	}
	q := `UPDATE risk_factors SET cleared_at = ?, cleared_by = ?
		WHERE user_id = ? AND cleared_at IS NULL AND expires_at > ?`
	args := []any{at.UnixMicro(), by, userID, at.UnixMicro()}
	if kinds != nil {
		q += ` AND kind IN (?` + strings.Repeat(", ?", len(kinds)-1) + `)`
		for _, k := range kinds {
			args = append(args, k)
		}
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: clear risk factors: %w", err)
	}
	defer rollback(tx)
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("sqlite: clear risk factors: %w", err)
	}
	cleared, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: clear risk factors: %w", err)
	}
	if cleared == 0 {
		return 0, nil // nothing changed: nothing for followers to reload
	}
	if err := appendRiskChange(ctx, tx, userID, at); err != nil {
		return 0, fmt.Errorf("sqlite: clear risk factors: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: clear risk factors: %w", err)
	}
	return int(cleared), nil
}

func scanRiskFactors(rows *sql.Rows) ([]store.RiskFactor, error) {
	defer rows.Close()
	var out []store.RiskFactor
	for rows.Next() {
		var (
			f                    store.RiskFactor
			ev                   string
			at, expires, cleared sql.NullInt64
		)
		if err := rows.Scan(&f.ID, &f.UserID, &f.Kind, &f.Severity, &f.Reason, &ev, &f.Source,
			&at, &expires, &cleared, &f.ClearedBy); err != nil {
			return nil, err
		}
		var err error
		if f.Evidence, err = decodeEvidence(ev); err != nil {
			return nil, fmt.Errorf("factor %s: %w", f.ID, err)
		}
		f.At, f.ExpiresAt, f.ClearedAt = fromTS(at), fromTS(expires), fromTS(cleared)
		out = append(out, f)
	}
	return out, rows.Err()
}

// encodeEvidence stores the evidence as a JSON object; an empty map is "{}"
// and reads back as nil.
func encodeEvidence(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("sqlite: encode evidence: %w", err)
	}
	return string(b), nil
}

func decodeEvidence(s string) (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decode evidence: %w", err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}
