package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/vigil-gw/vigil/internal/store"
)

const riskColumns = `id, user_id, kind, severity, reason, evidence, source, at, expires_at, cleared_at, cleared_by`

// AddRiskFactor stores f and appends a store.ChangeRisk for its user in the
// same transaction, so that every replica reloads the user's risk. It fails
// with store.ErrConflict when a factor with f.ID exists. A factor must name
// its user and kind, carry a severity of 1 to 100 and expire after it starts.
func (db *DB) AddRiskFactor(ctx context.Context, f *store.RiskFactor) (err error) {
	defer db.done("risk.add", time.Now(), &err)
	if err := f.Check(); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	ev, err := encodeEvidence(f.Evidence)
	if err != nil {
		return err
	}
	return db.inTx(ctx, "add risk factor", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO risk_factors (`+riskColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
			f.ID, f.UserID, f.Kind, f.Severity, f.Reason, ev, f.Source, f.At, f.ExpiresAt,
			ts(f.ClearedAt), f.ClearedBy)
		if err != nil {
			return fmt.Errorf("postgres: add risk factor: %w", err)
		}
		if err := affected(tag, store.ErrConflict); err != nil {
			return err
		}
		if _, err := appendChange(ctx, tx, store.ChangeRisk, f.UserID, "", f.At); err != nil {
			return fmt.Errorf("postgres: add risk factor: %w", err)
		}
		return nil
	})
}

// RiskFactors returns every factor of userID, cleared and expired ones
// included, oldest first (nil when there are none).
func (db *DB) RiskFactors(ctx context.Context, userID string) (_ []store.RiskFactor, err error) {
	defer db.done("risk.list", time.Now(), &err)
	if !storable(userID) {
		return nil, nil
	}
	return db.riskFactors(ctx, "risk factors", `SELECT `+riskColumns+` FROM risk_factors
		WHERE user_id = $1 ORDER BY at, id`, userID)
}

// ActiveRiskFactors returns every uncleared factor, of every user, that
// expires after now, oldest first: the risk engine's start-up warm-up,
// read through the partial index on expiry.
func (db *DB) ActiveRiskFactors(ctx context.Context, now time.Time) (_ []store.RiskFactor, err error) {
	defer db.done("risk.active", time.Now(), &err)
	return db.riskFactors(ctx, "active risk factors", `SELECT `+riskColumns+` FROM risk_factors
		WHERE cleared_at IS NULL AND expires_at > $1 ORDER BY at, id`, now)
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
		return 0, errors.New("postgres: clearing risk needs a UserID")
	}
	if at.IsZero() {
		return 0, errors.New("postgres: clearing risk needs a time")
	}
	if kinds != nil && len(kinds) == 0 {
		return 0, nil
	}
	// $4 NULL (nil kinds) matches every kind.
	err = db.inTx(ctx, "clear risk factors", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE risk_factors SET cleared_at = $1, cleared_by = $2
			WHERE user_id = $3 AND cleared_at IS NULL AND expires_at > $1
				AND ($4::text[] IS NULL OR kind = ANY($4::text[]))`, at, by, userID, kinds)
		if err != nil {
			return fmt.Errorf("postgres: clear risk factors: %w", err)
		}
		n = int(tag.RowsAffected())
		if n == 0 {
			return nil // nothing changed: nothing for followers to reload
		}
		if _, err := appendChange(ctx, tx, store.ChangeRisk, userID, "", at); err != nil {
			return fmt.Errorf("postgres: clear risk factors: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (db *DB) riskFactors(ctx context.Context, what, q string, args ...any) ([]store.RiskFactor, error) {
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	out, err := collect(rows, func(r pgx.Row) (store.RiskFactor, error) {
		var (
			f       store.RiskFactor
			ev      []byte
			cleared pgtype.Timestamptz
		)
		if err := r.Scan(&f.ID, &f.UserID, &f.Kind, &f.Severity, &f.Reason, &ev, &f.Source,
			&f.At, &f.ExpiresAt, &cleared, &f.ClearedBy); err != nil {
			return f, err
		}
		var err error
		if f.Evidence, err = decodeEvidence(ev); err != nil {
			return f, fmt.Errorf("factor %s: %w", f.ID, err)
		}
		f.At, f.ExpiresAt, f.ClearedAt = f.At.UTC(), f.ExpiresAt.UTC(), fromTS(cleared)
		return f, nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return out, nil
}

// encodeEvidence stores the evidence as a JSON object; an empty map is "{}"
// and reads back as nil.
func encodeEvidence(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("postgres: encode evidence: %w", err)
	}
	return string(b), nil
}

func decodeEvidence(b []byte) (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode evidence: %w", err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}
