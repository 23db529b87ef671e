package set

import (
	"encoding/json"
	"strings"
	"testing"
)

var subjectCases = []struct {
	name string
	json string
	key  string // "" = invalid
}{
	{"email", `{"format":"email","email":"Alice@Example.COM"}`, "email:Alice@example.com"},
	{"iss_sub", `{"format":"iss_sub","iss":"https://idp.example","sub":"u 1"}`, "iss_sub:https://idp.example u 1"},
	{"opaque", `{"format":"opaque","id":"abc"}`, "opaque:abc"},
	{"phone", `{"format":"phone_number","phone_number":"+12065550100"}`, "phone_number:+12065550100"},
	{"account", `{"format":"account","uri":"acct:alice@example.com"}`, "account:acct:alice@example.com"},
	{"did uses url", `{"format":"did","url":"did:example:123"}`, "did:did:example:123"},
	{"uri", `{"format":"uri","uri":"https://example.com/u/1"}`, "uri:https://example.com/u/1"},
	{"aliases sorted", `{"format":"aliases","identifiers":[{"format":"opaque","id":"b"},{"format":"email","email":"a@x.org"}]}`,
		`aliases:["email:a@x.org","opaque:b"]`},
	{"complex", `{"format":"complex","session":{"format":"opaque","id":"s1"},"user":{"format":"iss_sub","iss":"https://i","sub":"u"}}`,
		`complex:[["user","iss_sub:https://i u"],["session","opaque:s1"]]`},
	{"complex without format (draft)", `{"user":{"format":"email","email":"a@x.org"},"tenant":{"format":"opaque","id":"t"}}`,
		`complex:[["user","email:a@x.org"],["tenant","opaque:t"]]`},
	{"no format", `{"email":"a@x.org"}`, ""},
	{"unknown format", `{"format":"jwt_id","iss":"x","jti":"y"}`, ""},
	{"email without domain", `{"format":"email","email":"alice@"}`, ""},
	{"email without at", `{"format":"email","email":"alice"}`, ""},
	{"iss_sub missing sub", `{"format":"iss_sub","iss":"https://i"}`, ""},
	{"iss with space", `{"format":"iss_sub","iss":"https://i x","sub":"u"}`, ""},
	{"opaque empty", `{"format":"opaque","id":""}`, ""},
	{"phone not E.164", `{"format":"phone_number","phone_number":"206-555-0100"}`, ""},
	{"account not acct", `{"format":"account","uri":"mailto:a@x.org"}`, ""},
	{"did not did", `{"format":"did","url":"https://x"}`, ""},
	{"uri relative", `{"format":"uri","uri":"/u/1"}`, ""},
	{"extra member", `{"format":"opaque","id":"a","email":"a@x.org"}`, ""},
	{"control character", `{"format":"opaque","id":"a\u0000b"}`, ""},
	{"aliases empty", `{"format":"aliases","identifiers":[]}`, ""},
	{"aliases nested", `{"format":"aliases","identifiers":[{"format":"aliases","identifiers":[{"format":"opaque","id":"a"}]}]}`, ""},
	{"complex nested", `{"format":"complex","user":{"format":"complex","user":{"format":"opaque","id":"a"}}}`, ""},
	{"complex with aliases member", `{"format":"complex","user":{"format":"aliases","identifiers":[{"format":"opaque","id":"a"}]}}`, ""},
	{"complex empty", `{"format":"complex"}`, ""},
	{"simple with complex member", `{"format":"opaque","id":"a","user":{"format":"opaque","id":"b"}}`, ""},
	{"too long", `{"format":"opaque","id":"` + strings.Repeat("a", maxMemberLen+1) + `"}`, ""},
}

func TestSubject(t *testing.T) {
	for _, tc := range subjectCases {
		t.Run(tc.name, func(t *testing.T) {
			var s Subject
			if err := json.Unmarshal([]byte(tc.json), &s); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			err := s.Validate()
			if tc.key == "" {
				if err == nil {
					t.Fatalf("Validate accepted %+v", s)
				}
				return
			}
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if got := s.Key(); got != tc.key {
				t.Fatalf("Key = %q, want %q", got, tc.key)
			}
			// The wire form round-trips to the same key.
			b, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			var back Subject
			if err := json.Unmarshal(b, &back); err != nil || back.Key() != tc.key || back.Validate() != nil {
				t.Fatalf("round trip %s: %+v, %v", b, back, err)
			}
		})
	}
}

func TestSubjectWireNames(t *testing.T) {
	user := IssSub("https://i", "u")
	s := Subject{Format: FormatComplex, User: &user, OrgUnit: &Subject{Format: FormatDID, URI: "did:x:1"}}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"format":"complex","user":{"format":"iss_sub","iss":"https://i","sub":"u"},"org_unit":{"format":"did","url":"did:x:1"}}`
	if string(b) != want {
		t.Fatalf("got %s\nwant %s", b, want)
	}
}

func TestSubjectConstructors(t *testing.T) {
	for _, s := range []Subject{EmailSubject("a@b.c"), IssSub("https://i", "s"), Opaque("o")} {
		if err := s.Validate(); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
}

func TestKeyInjective(t *testing.T) {
	// Member values that contain the separators of other formats must not
	// make two subjects share a key.
	a := Subject{Format: FormatComplex, User: &Subject{Format: FormatOpaque, ID: `x"],["session","opaque:y`}}
	b := Subject{Format: FormatComplex, User: &Subject{Format: FormatOpaque, ID: "x"}, Session: &Subject{Format: FormatOpaque, ID: "y"}}
	if a.Key() == b.Key() {
		t.Fatalf("keys collide: %s", a.Key())
	}
	if o, e := Opaque("a@b.c"), EmailSubject("a@b.c"); o.Key() == e.Key() {
		t.Fatal("opaque and email keys collide")
	}
}

func FuzzSubject(f *testing.F) {
	for _, tc := range subjectCases {
		f.Add([]byte(tc.json))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Subject
		if json.Unmarshal(b, &s) != nil {
			return
		}
		if s.Validate() != nil {
			_ = s.Key() // must not panic on invalid subjects either
			return
		}
		key := s.Key()
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("marshal valid subject: %v", err)
		}
		var back Subject
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-read %s: %v", out, err)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("valid subject invalid after round trip %s: %v", out, err)
		}
		if back.Key() != key {
			t.Fatalf("key changed: %q -> %q", key, back.Key())
		}
	})
}
