package sqlite

import (
	"database/sql"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vigil-gw/vigil/internal/identity"
)

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	for _, tc := range []struct {
		name    string
		fs      fstest.MapFS
		want    int
		wantErr bool
	}{
		{"embedded", nil, -1, false},
		{"ordered", fstest.MapFS{"migrations/0001_a.sql": file("x"), "migrations/0002_b.sql": file("y")}, 2, false},
		{"gap", fstest.MapFS{"migrations/0001_a.sql": file("x"), "migrations/0003_c.sql": file("y")}, 0, true},
		{"starts at two", fstest.MapFS{"migrations/0002_b.sql": file("x")}, 0, true},
		{"no number", fstest.MapFS{"migrations/init.sql": file("x")}, 0, true},
		{"zero", fstest.MapFS{"migrations/0000_z.sql": file("x")}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fsys fs.FS = migrationFiles
			if tc.fs != nil {
				fsys = tc.fs
			}
			ms, err := loadMigrations(fsys)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if tc.want >= 0 && len(ms) != tc.want {
				t.Fatalf("got %d migrations, want %d", len(ms), tc.want)
			}
			if tc.fs == nil && len(ms) == 0 {
				t.Fatal("no embedded migrations")
			}
		})
	}
}

// TestUserVerificationMigration opens a database written before users had
// a verification column: existing users must come back unverified.
func TestUserVerificationMigration(t *testing.T) {
	ctx := t.Context()
	path := t.TempDir() + "/old.db"
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	old := &DB{w: raw, r: raw}
	if _, err := raw.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,
		name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if strings.Contains(m.Name, "user_verification") {
			break
		}
		if err := old.apply(ctx, m, len(ms)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.ExecContext(ctx, `INSERT INTO users (id, provider, subject, email, name) VALUES ('u', 'p', 's', '', '')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("Open (upgrade): %v", err)
	}
	defer db.Close()
	u, err := db.GetUser(ctx, "u")
	if err != nil || u.Verification != nil {
		t.Fatalf("GetUser after upgrade = %+v, %v; want no verification", u, err)
	}
	if err := db.SetUserVerification(ctx, "u", &identity.Verification{Provider: "idv", Subject: "x"}); err != nil {
		t.Fatalf("SetUserVerification after upgrade: %v", err)
	}
}
