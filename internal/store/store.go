// Package store defines the records Vigil keeps and the errors its backends
// return. The interfaces that use these records live in the packages that
// consume them (session, authn, assertion); each backend (store/sqlite, later
// store/postgres) implements them all and passes the conformance suite in
// store/storetest. The package itself does no I/O.
package store

import (
	"errors"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
)

// ErrNotFound is returned when a record does not exist. Backends read no
// clock: expiry is the caller's check.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when creating a record whose key already exists.
var ErrConflict = errors.New("store: already exists")

// Session is a server-side session record. The cookie carries a secret
// token; ID is a hash of it, so a leaked database does not yield cookies.
type Session struct {
	ID         string
	UserID     string // User.ID
	Provider   string // configured provider name
	Identity   identity.Identity
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry
	IP         string
	UserAgent  string
	// IDToken is the raw ID token, kept for RP-initiated logout
	// (id_token_hint). It is never sent to upstreams.
	IDToken string
	// SID is the provider's session ID (the ID token's sid claim), "" if
	// none: a back-channel logout may name the session only by it.
	SID string
}

// User is a person as known through one provider. ID is stable:
// derived from provider name and subject.
type User struct {
	ID          string
	Provider    string
	Subject     string
	Email       string
	Name        string
	FirstSeenAt time.Time
	LastSeenAt  time.Time
	// Verification is the user's latest identity verification, nil if none.
	// It is kept so that a later session starts with it (policy still judges
	// its age). UpsertUser never changes it (sign-in knows nothing of it)
	// but reports the stored one back; SetUserVerification replaces it.
	Verification *identity.Verification
}

// UserQuery selects users for ListUsers, an operator's search: most
// recently seen first (LastSeenAt descending, the zero time last), then ID.
type UserQuery struct {
	// Match, if not empty, keeps the users whose ID, email or name contains
	// it, ignoring ASCII case. It is literal text: no character is a
	// wildcard.
	Match string
	// Limit caps how many users are returned; 0 or less: no cap.
	Limit int
}

// SigningKey is an assertion signing key. PrivateKey is wrapped (encrypted)
// by the caller; the store never sees key material in the clear.
type SigningKey struct {
	ID         string // JWK kid
	Algorithm  string // e.g. ES256
	PrivateKey []byte // AEAD-wrapped PKCS#8
	PublicKey  []byte // PKIX DER
	CreatedAt  time.Time
	// RetireAt: after it the key signs no more; it is still published
	// until ExpiresAt so that assertions signed with it verify.
	RetireAt  time.Time
	ExpiresAt time.Time
}
