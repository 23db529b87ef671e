package sqlite

import (
	"io/fs"
	"testing"
	"testing/fstest"
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
