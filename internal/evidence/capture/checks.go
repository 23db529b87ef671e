package capture

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
)

// The checks below run before go-webauthn's own Verify, which repeats
// them: they exist so that each failure gets its own reason (the library
// reports most of them as one "verification_error").

// checkClientData checks the ceremony type, the challenge and the origin.
// wrongChallenge is the reason for a challenge that differs.
func checkClientData(c *protocol.CollectedClientData, ceremony protocol.CeremonyType, challenge []byte, origins []string, wrongChallenge Reason) *Error {
	if c.Type != ceremony {
		return refuse(ReasonMalformed, "client data is for another ceremony")
	}
	got, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(c.Challenge, "="))
	if err != nil {
		return refuse(ReasonMalformed, "client data challenge is not base64url")
	}
	if !bytes.Equal(got, challenge) {
		return refuse(wrongChallenge, "signed challenge differs")
	}
	if !protocol.IsOriginInHaystack(c.Origin, origins) {
		return refuse(ReasonOrigin, "origin not allowed")
	}
	// A cross-origin iframe could run the ceremony on our RP ID from a page
	// we do not serve; the capture page is always top-level.
	if c.CrossOrigin || c.TopOrigin != "" {
		return refuse(ReasonOrigin, "ceremony ran in a cross-origin frame")
	}
	return nil
}

// checkAuthData checks the RP ID hash and user presence.
func checkAuthData(a *protocol.AuthenticatorData, rpID string) *Error {
	want := sha256.Sum256([]byte(rpID))
	if !bytes.Equal(a.RPIDHash, want[:]) {
		return refuse(ReasonOrigin, "authenticator data is for another RP ID")
	}
	if !a.Flags.HasUserPresent() {
		return refuse(ReasonPresence, "user presence not asserted")
	}
	return nil
}

// checkRP refuses an RP ID and origins that cannot work together, so that
// a misconfiguration fails at the first enrolment, not in the browser.
// WebAuthn needs a secure context: https, or http on localhost.
func checkRP(rpID string, origins []string) error {
	if rpID == "" || strings.ContainsAny(rpID, ":/ ") {
		return fmt.Errorf("capture: RP ID %q is not a host name", rpID)
	}
	if len(origins) == 0 {
		return fmt.Errorf("capture: no origins")
	}
	for _, o := range origins {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("capture: origin %q is not scheme://host[:port]", o)
		}
		host := u.Hostname()
		switch {
		case u.Scheme == "https":
		case u.Scheme == "http" && (host == "localhost" || strings.HasSuffix(host, ".localhost")):
		default:
			return fmt.Errorf("capture: origin %q is not a secure context", o)
		}
		if host != rpID && !strings.HasSuffix(host, "."+rpID) {
			return fmt.Errorf("capture: origin %q is not within RP ID %q", o, rpID)
		}
	}
	return nil
}
