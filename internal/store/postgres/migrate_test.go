package postgres

import (
	"io/fs"
	"strconv"
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
		{"negative", fstest.MapFS{"migrations/-001_z.sql": file("x")}, 0, true},
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

func TestParseNotification(t *testing.T) {
	for _, tc := range notificationCases {
		seq, schema, ok := parseNotification(tc.payload)
		if ok != tc.ok || seq != tc.seq || schema != tc.schema {
			t.Errorf("parseNotification(%q) = %d, %q, %v; want %d, %q, %v",
				tc.payload, seq, schema, ok, tc.seq, tc.schema, tc.ok)
		}
	}
}

var notificationCases = []struct {
	payload string
	seq     int64
	schema  string
	ok      bool
}{
	{"1:public", 1, "public", true},
	{"42:vt_00ff", 42, "vt_00ff", true},
	{"7:odd:name", 7, "odd:name", true}, // a schema name may hold ':'
	{"9223372036854775807:s", 9223372036854775807, "s", true},
	{"", 0, "", false},
	{"12", 0, "", false},
	{"12:", 0, "", false},
	{":public", 0, "", false},
	{"0:public", 0, "", false},
	{"-1:public", 0, "", false},
	{"+1:public", 0, "", false},
	{"1x:public", 0, "", false},
	{"9223372036854775808:s", 0, "", false},
	{" 1:public", 0, "", false},
	{"01:public", 0, "", false},
}

// formatNotification is what the changes trigger sends: seq || ':' || schema.
func formatNotification(seq int64, schema string) string {
	return strconv.FormatInt(seq, 10) + ":" + schema
}

func FuzzParseNotification(f *testing.F) {
	for _, tc := range notificationCases {
		f.Add(tc.payload)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		seq, schema, ok := parseNotification(payload)
		if !ok {
			if seq != 0 || schema != "" {
				t.Fatalf("refused %q but returned %d, %q", payload, seq, schema)
			}
			return
		}
		// What it accepts is exactly what the trigger writes.
		if seq <= 0 || schema == "" || payload != formatNotification(seq, schema) {
			t.Fatalf("accepted %q as %d, %q", payload, seq, schema)
		}
	})
}
