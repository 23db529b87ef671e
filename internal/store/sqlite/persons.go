package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// UpsertPersonByDocument stores p keyed by its DocumentKey. When a person
// with that document exists, its Subject and CreatedAt are kept (and written
// back into p) and every other field is replaced, so a re-verified document
// keeps its subject. Otherwise p is inserted under p.Subject, failing with
// store.ErrConflict if another document already holds that subject.
func (db *DB) UpsertPersonByDocument(ctx context.Context, p *store.Person) (err error) {
	defer db.done("person.upsert", time.Now(), &err)
	if p.DocumentKey == "" {
		return errors.New("sqlite: person needs a DocumentKey")
	}
	nats, err := encodeStrings(p.Nationalities)
	if err != nil {
		return err
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: upsert person: %w", err)
	}
	defer rollback(tx)
	var (
		subject string
		created sql.NullInt64
	)
	err = tx.QueryRowContext(ctx, `UPDATE persons SET given_name = ?, family_name = ?, birth_date = ?,
		nationalities = ?, acr = ?, verified_claims = ?, face = ?, verified_at = ?, updated_at = ?
		WHERE document_key = ? RETURNING subject, created_at`,
		p.GivenName, p.FamilyName, p.BirthDate, nats, p.ACR, blob(p.VerifiedClaims), blob(p.Face),
		ts(p.VerifiedAt), ts(p.UpdatedAt), p.DocumentKey).Scan(&subject, &created)
	switch {
	case err == nil:
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("sqlite: upsert person: %w", err)
		}
		p.Subject, p.CreatedAt = subject, fromTS(created)
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: upsert person: %w", err)
	}
	if p.Subject == "" {
		return errors.New("sqlite: new person needs a Subject")
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO persons (subject, document_key, given_name, family_name, birth_date,
		nationalities, acr, verified_claims, face, verified_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subject) DO NOTHING`,
		p.Subject, p.DocumentKey, p.GivenName, p.FamilyName, p.BirthDate, nats, p.ACR, blob(p.VerifiedClaims),
		blob(p.Face), ts(p.VerifiedAt), ts(p.CreatedAt), ts(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: upsert person: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: upsert person: %w", err)
	} else if n == 0 {
		return store.ErrConflict // the subject belongs to another document
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: upsert person: %w", err)
	}
	return nil
}

// GetPerson returns the person with subject, or store.ErrNotFound.
func (db *DB) GetPerson(ctx context.Context, subject string) (_ *store.Person, err error) {
	defer db.done("person.get", time.Now(), &err)
	var (
		p                         store.Person
		nats                      sql.NullString
		verified, created, update sql.NullInt64
	)
	err = db.r.QueryRowContext(ctx, `SELECT subject, document_key, given_name, family_name, birth_date,
		nationalities, acr, verified_claims, face, verified_at, created_at, updated_at FROM persons WHERE subject = ?`,
		subject).Scan(&p.Subject, &p.DocumentKey, &p.GivenName, &p.FamilyName, &p.BirthDate, &nats, &p.ACR,
		&p.VerifiedClaims, &p.Face, &verified, &created, &update)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get person: %w", err)
	}
	if p.Nationalities, err = decodeStrings(nats); err != nil {
		return nil, fmt.Errorf("sqlite: get person: decode nationalities: %w", err)
	}
	if len(p.VerifiedClaims) == 0 {
		p.VerifiedClaims = nil
	}
	if len(p.Face) == 0 {
		p.Face = nil
	}
	p.VerifiedAt, p.CreatedAt, p.UpdatedAt = fromTS(verified), fromTS(created), fromTS(update)
	return &p, nil
}

// ListPersonFaces returns every person's sealed face descriptor, skipping
// persons without one.
func (db *DB) ListPersonFaces(ctx context.Context) (_ []store.PersonFace, err error) {
	defer db.done("person.faces", time.Now(), &err)
	rows, err := db.r.QueryContext(ctx, `SELECT subject, document_key, face FROM persons
		WHERE face IS NOT NULL AND length(face) > 0 ORDER BY subject`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list person faces: %w", err)
	}
	defer rows.Close()
	var out []store.PersonFace
	for rows.Next() {
		var f store.PersonFace
		if err := rows.Scan(&f.Subject, &f.DocumentKey, &f.Face); err != nil {
			return nil, fmt.Errorf("sqlite: list person faces: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
