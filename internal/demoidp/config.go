package demoidp

import (
	"crypto"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/oidcop"
)

// Config configures a demo identity provider. Issuer, Users and Clients are
// required; the rest have defaults.
type Config struct {
	// Issuer is the provider's issuer URL, e.g. http://localhost:9001. It
	// must be https, except that plain http is accepted for localhost and
	// loopback addresses (see oidcop.CheckIssuer).
	Issuer  string
	Users   []User
	Clients []Client
	// Logger receives the provider's own log lines (logins, failures). The
	// zitadel op package logs protocol errors through slog's default logger.
	Logger *slog.Logger
	// Clock gives the time for auth_time, code, request and access token
	// expiry. ID token iat/exp are set by the op package from the real clock.
	Clock func() time.Time
	// Rand is the source of identifiers, keys and cookie values.
	Rand io.Reader
	// SigningKey signs ID tokens: an *rsa.PrivateKey of at least 2048 bits
	// (RS256) or an *ecdsa.PrivateKey on P-256 (ES256). When nil, a fresh
	// RSA 2048 key is generated, so tokens do not survive a restart.
	SigningKey crypto.Signer
}

// User is a demo account. Password is compared in constant time against a
// keyed hash made at New; the plaintext is not kept.
type User struct {
	Subject    string
	Username   string
	Password   string
	Email      string
	Name       string
	GivenName  string
	FamilyName string
	Groups     []string
}

// Client is a registered relying party. A client with a Secret is
// confidential (client_secret_basic or client_secret_post, PKCE optional);
// without one it is public and must use PKCE with S256.
type Client = oidcop.Client

// DefaultUsers returns the seeded demo accounts that `vigil quickstart`
// prints. Their passwords are public: never reuse them anywhere.
func DefaultUsers() []User {
	return []User{
		{
			Subject: "demo-alice", Username: "alice", Password: "alice-demo-password",
			Email: "alice@example.com", Name: "Alice Anders", GivenName: "Alice", FamilyName: "Anders",
			Groups: []string{"engineering", "admins"},
		},
		{
			Subject: "demo-bob", Username: "bob", Password: "bob-demo-password",
			Email: "bob@example.com", Name: "Bob Brown", GivenName: "Bob", FamilyName: "Brown",
			Groups: []string{"sales"},
		},
		{
			Subject: "demo-carol", Username: "carol", Password: "carol-demo-password",
			Email: "carol@contractor.example", Name: "Carol Chen", GivenName: "Carol", FamilyName: "Chen",
			Groups: []string{"contractors"},
		},
	}
}

// validateUsers reports every problem with the users at once; oidcop
// checks the issuer and the clients.
func validateUsers(users []User) error {
	var errs []error
	if len(users) == 0 {
		errs = append(errs, errors.New("at least one user is required"))
	}
	subjects, usernames := map[string]bool{}, map[string]bool{}
	for i, u := range users {
		switch {
		case u.Subject == "":
			errs = append(errs, fmt.Errorf("users[%d]: subject is required", i))
		case strings.ContainsAny(u.Subject, ":"):
			// The op package encodes bearer tokens as "tokenID:subject".
			errs = append(errs, fmt.Errorf("users[%d]: subject must not contain ':'", i))
		case subjects[u.Subject]:
			errs = append(errs, fmt.Errorf("users[%d]: duplicate subject %q", i, u.Subject))
		}
		subjects[u.Subject] = true
		name := normUsername(u.Username)
		switch {
		case name == "":
			errs = append(errs, fmt.Errorf("users[%d]: username is required", i))
		case usernames[name]:
			errs = append(errs, fmt.Errorf("users[%d]: duplicate username %q", i, u.Username))
		}
		usernames[name] = true
		if u.Password == "" {
			errs = append(errs, fmt.Errorf("users[%d]: password is required", i))
		}
	}
	return errors.Join(errs...)
}

func normUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
