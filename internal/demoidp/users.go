package demoidp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/vigil-gw/vigil/internal/oidcop"
)

// directory holds the demo users. Passwords are kept only as HMAC-SHA256
// under a per-instance random key: the demo passwords are public, so a slow
// hash buys nothing, but a keyed hash keeps plaintext out of memory and lets
// every comparison run on equal-length values in constant time.
type directory struct {
	key        []byte
	byUsername map[string]*userRecord
	bySubject  map[string]*userRecord
	// dummy is compared against when the username is unknown, so a wrong
	// username costs the same work as a wrong password.
	dummy [sha256.Size]byte
}

type userRecord struct {
	user User // Password cleared
	hash [sha256.Size]byte
}

func newDirectory(users []User, key []byte) *directory {
	d := &directory{
		key:        key,
		byUsername: make(map[string]*userRecord, len(users)),
		bySubject:  make(map[string]*userRecord, len(users)),
	}
	d.dummy = d.mac("no such user")
	for _, u := range users {
		rec := &userRecord{user: u, hash: d.mac(u.Password)}
		rec.user.Password = ""
		rec.user.Groups = slices.Clone(u.Groups)
		d.byUsername[normUsername(u.Username)] = rec
		d.bySubject[u.Subject] = rec
	}
	return d
}

func (d *directory) mac(password string) [sha256.Size]byte {
	h := hmac.New(sha256.New, d.key)
	h.Write([]byte(password))
	var out [sha256.Size]byte
	copy(out[:], h.Sum(nil))
	return out
}

// Check returns the subject of the user when username and password match.
// It does the same work whether or not the user exists.
func (d *directory) Check(username, password string) (string, bool) {
	got := d.mac(password)
	rec, found := d.byUsername[normUsername(username)]
	want := d.dummy
	if found {
		want = rec.hash
	}
	match := subtle.ConstantTimeCompare(got[:], want[:]) == 1
	if !found || !match {
		return "", false
	}
	return rec.user.Subject, true
}

// usernames lists the usernames in a stable order for the login page.
func (d *directory) usernames() []string {
	names := make([]string, 0, len(d.byUsername))
	for _, rec := range d.byUsername {
		names = append(names, rec.user.Username)
	}
	slices.Sort(names)
	return names
}

var _ oidcop.ClaimsSource = (*directory)(nil)

var errNoUser = errors.New("user no longer exists")

// IDTokenClaims and UserinfoClaims release the same claims: the demo
// provider ignores the claims request parameter.
func (d *directory) IDTokenClaims(_ context.Context, subject, _ string, scopes []string, _ json.RawMessage) (map[string]any, error) {
	return d.claims(subject, scopes)
}

func (d *directory) UserinfoClaims(_ context.Context, subject, _ string, scopes []string, _ json.RawMessage) (map[string]any, error) {
	return d.claims(subject, scopes)
}

// claims returns the claims of subject released for scopes: OIDC Core
// section 5.4 for email and profile; groups always, since every Vigil
// policy demo needs them.
func (d *directory) claims(subject string, scopes []string) (map[string]any, error) {
	rec, ok := d.bySubject[subject]
	if !ok {
		return nil, errNoUser
	}
	u := rec.user
	out := map[string]any{}
	if slices.Contains(scopes, oidc.ScopeEmail) && u.Email != "" {
		out["email"] = u.Email
		out["email_verified"] = true
	}
	if slices.Contains(scopes, oidc.ScopeProfile) {
		for k, v := range map[string]string{
			"name": u.Name, "given_name": u.GivenName, "family_name": u.FamilyName, "preferred_username": u.Username,
		} {
			if v != "" {
				out[k] = v
			}
		}
	}
	groups := slices.Clone(u.Groups)
	if groups == nil {
		groups = []string{}
	}
	out["groups"] = groups
	return out, nil
}
