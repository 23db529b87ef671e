package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/vigil-gw/vigil/internal/store"
)

// personLock is the first key of the advisory lock that serialises upserts
// of one document (the second is a hash of the DocumentKey).
const personLock = 0x56494732 // "VIG2"

// UpsertPersonByDocument stores p keyed by its DocumentKey. When a person
// with that document exists, its Subject and CreatedAt are kept (and written
// back into p) and every other field is replaced, so a re-verified document
// keeps its subject. Otherwise p is inserted under p.Subject, failing with
// store.ErrConflict if another document already holds that subject.
func (db *DB) UpsertPersonByDocument(ctx context.Context, p *store.Person) (err error) {
	defer db.done("person.upsert", time.Now(), &err)
	if p.DocumentKey == "" {
		return errors.New("postgres: person needs a DocumentKey")
	}
	var (
		subject string
		created pgtype.Timestamptz
		updated bool
	)
	err = db.inTx(ctx, "upsert person", func(tx pgx.Tx) error {
		updated = false
		// Two first verifications of one document at once must not both
		// insert: the second waits here and then updates what the first
		// stored, as SQLite's single writer would have it.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, personLock, p.DocumentKey); err != nil {
			return fmt.Errorf("postgres: upsert person: %w", err)
		}
		err := tx.QueryRow(ctx, `UPDATE persons SET given_name = $1, family_name = $2, birth_date = $3,
			nationalities = $4, acr = $5, verified_claims = $6, face = $7, verified_at = $8, updated_at = $9
			WHERE document_key = $10 RETURNING subject, created_at`,
			p.GivenName, p.FamilyName, p.BirthDate, nilIfEmpty(p.Nationalities), p.ACR, nilIfEmpty(p.VerifiedClaims),
			nilIfEmpty(p.Face), ts(p.VerifiedAt), ts(p.UpdatedAt), p.DocumentKey).Scan(&subject, &created)
		switch {
		case err == nil:
			updated = true
			return nil
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("postgres: upsert person: %w", err)
		}
		if p.Subject == "" {
			return errors.New("postgres: new person needs a Subject")
		}
		tag, err := tx.Exec(ctx, `INSERT INTO persons (subject, document_key, given_name, family_name, birth_date,
			nationalities, acr, verified_claims, face, verified_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (subject) DO NOTHING`,
			p.Subject, p.DocumentKey, p.GivenName, p.FamilyName, p.BirthDate, nilIfEmpty(p.Nationalities), p.ACR,
			nilIfEmpty(p.VerifiedClaims), nilIfEmpty(p.Face), ts(p.VerifiedAt), ts(p.CreatedAt), ts(p.UpdatedAt))
		if err != nil {
			return fmt.Errorf("postgres: upsert person: %w", err)
		}
		return affected(tag, store.ErrConflict) // the subject belongs to another document
	})
	if err != nil {
		return err
	}
	if updated {
		p.Subject, p.CreatedAt = subject, fromTS(created)
	}
	return nil
}

// GetPerson returns the person with subject, or store.ErrNotFound.
func (db *DB) GetPerson(ctx context.Context, subject string) (_ *store.Person, err error) {
	defer db.done("person.get", time.Now(), &err)
	if !storable(subject) {
		return nil, store.ErrNotFound
	}
	var (
		p                          store.Person
		verified, created, updated pgtype.Timestamptz
	)
	err = db.pool.QueryRow(ctx, `SELECT subject, document_key, given_name, family_name, birth_date,
		nationalities, acr, verified_claims, face, verified_at, created_at, updated_at FROM persons WHERE subject = $1`,
		subject).Scan(&p.Subject, &p.DocumentKey, &p.GivenName, &p.FamilyName, &p.BirthDate, &p.Nationalities, &p.ACR,
		&p.VerifiedClaims, &p.Face, &verified, &created, &updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get person: %w", err)
	}
	p.Nationalities, p.VerifiedClaims, p.Face = nilIfEmpty(p.Nationalities), nilIfEmpty(p.VerifiedClaims), nilIfEmpty(p.Face)
	p.VerifiedAt, p.CreatedAt, p.UpdatedAt = fromTS(verified), fromTS(created), fromTS(updated)
	return &p, nil
}

// ListPersonFaces returns every person's sealed face descriptor, skipping
// persons without one.
func (db *DB) ListPersonFaces(ctx context.Context) (_ []store.PersonFace, err error) {
	defer db.done("person.faces", time.Now(), &err)
	rows, err := db.pool.Query(ctx, `SELECT subject, document_key, face FROM persons
		WHERE face IS NOT NULL AND length(face) > 0 ORDER BY subject`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list person faces: %w", err)
	}
	out, err := collect(rows, func(r pgx.Row) (store.PersonFace, error) {
		var f store.PersonFace
		err := r.Scan(&f.Subject, &f.DocumentKey, &f.Face)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list person faces: %w", err)
	}
	return out, nil
}
