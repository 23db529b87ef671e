package capture

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
)

// BeginSign returns the options for navigator.credentials.get that ask the
// bound credential, and only it, to sign challenge, with the state to keep
// until VerifyBurst.
//
// challenge is BurstChallenge(nonce, burstHash) when the page sent the
// burst hash first. It may be nil: the options then carry no challenge and
// capture.js's signBurst computes it from the nonce and the frames, which
// saves a round trip and proves no less, since VerifyBurst recomputes the
// challenge from the frames it received either way.
func BeginSign(b *Binding, challenge []byte) (optionsJSON, st []byte, err error) {
	if b == nil || len(b.CredentialID) == 0 || len(b.PublicKey) == 0 || b.RPID == "" {
		return nil, nil, fmt.Errorf("capture: no bound credential")
	}
	if challenge != nil && len(challenge) != 32 {
		return nil, nil, fmt.Errorf("capture: challenge is %d bytes, want 32 (BurstChallenge)", len(challenge))
	}
	opts := protocol.PublicKeyCredentialRequestOptions{
		Challenge:      challenge,
		Timeout:        ceremonyTimeout,
		RelyingPartyID: b.RPID,
		AllowedCredentials: []protocol.CredentialDescriptor{{
			Type:         protocol.PublicKeyCredentialType,
			CredentialID: b.CredentialID,
			Transport:    []protocol.AuthenticatorTransport{protocol.Internal},
		}},
		UserVerification: protocol.VerificationPreferred,
	}
	if optionsJSON, err = json.Marshal(opts); err != nil {
		return nil, nil, fmt.Errorf("capture: options: %w", err)
	}
	if st, err = encodeState(state{Kind: kindSign, Challenge: challenge, CredentialID: b.CredentialID}); err != nil {
		return nil, nil, fmt.Errorf("capture: state: %w", err)
	}
	return optionsJSON, st, nil
}

// VerifyBurst checks that frames, received with nonce, are the burst that
// the bound credential signed. It recomputes the burst hash from the
// frames received, never from anything the page reports. On success it
// returns the new signature counter, which the caller stores in
// b.SignCount before accepting another burst.
//
// The checks, in order, each with its reason: limits and parsing
// (capture-malformed); an assertion at all (capture-unsigned); the bound
// credential (capture-wrong-credential); the challenge against the frames
// and nonce (capture-hash-mismatch); origin, cross-origin and RP ID
// (capture-origin); user presence (capture-presence); the signature over
// authenticator data and client data (capture-signature-invalid); the
// counter (capture-replay). User verification is not required (it was
// preferred); it is a property of the Binding.
func VerifyBurst(b *Binding, st, assertionJSON []byte, frames [][]byte, nonce []byte) (uint32, error) {
	if b == nil || len(b.CredentialID) == 0 || len(b.PublicKey) == 0 {
		return 0, refuse(ReasonUnsigned, "no bound credential")
	}
	s, e := decodeState(st, kindSign)
	if e != nil {
		return 0, e
	}
	if !bytes.Equal(s.CredentialID, b.CredentialID) {
		return 0, refuse(ReasonWrongCredential, "state is for another credential")
	}
	if len(frames) == 0 || len(frames) > MaxFrames {
		return 0, refuse(ReasonMalformed, "burst has no frames or too many")
	}
	if len(nonce) < MinNonce || len(nonce) > MaxNonce {
		return 0, refuse(ReasonMalformed, "nonce length out of range")
	}
	if isAbsent(assertionJSON) {
		return 0, refuse(ReasonUnsigned, "no assertion")
	}
	if len(assertionJSON) > maxAssertion {
		return 0, refuse(ReasonMalformed, "assertion too large")
	}
	p, err := protocol.ParseCredentialRequestResponseBytes(assertionJSON)
	if err != nil {
		return 0, refuseWith(ReasonMalformed, "assertion does not parse", err)
	}
	if !bytes.Equal(p.RawID, b.CredentialID) {
		return 0, refuse(ReasonWrongCredential, "signed with another credential")
	}
	challenge := BurstChallenge(nonce, BurstHash(frames))
	if s.Challenge != nil && !bytes.Equal(s.Challenge, challenge) {
		return 0, refuse(ReasonHashMismatch, "frames or nonce differ from those the options were issued for")
	}
	if e := checkClientData(&p.Response.CollectedClientData, protocol.AssertCeremony, challenge, b.Origins, ReasonHashMismatch); e != nil {
		return 0, e
	}
	if e := checkAuthData(&p.Response.AuthenticatorData, b.RPID); e != nil {
		return 0, e
	}
	// go-webauthn repeats the checks above and verifies the signature; with
	// them passed, what remains to fail is the signature or the key.
	if err := p.Verify(base64.RawURLEncoding.EncodeToString(challenge), b.RPID, "", b.Origins, nil, nil,
		protocol.TopOriginExplicitVerificationMode, false, false, true, b.PublicKey, protocol.SignaturePolicy{}); err != nil {
		return 0, refuseWith(ReasonSignatureInvalid, "signature does not verify", err)
	}
	count := p.Response.AuthenticatorData.Counter
	// §6.1.1: authenticators without a counter always send 0; otherwise
	// the counter must grow, or the key has been cloned or replayed.
	if (count != 0 || b.SignCount != 0) && count <= b.SignCount {
		return 0, refuse(ReasonReplay, "signature counter did not increase")
	}
	return count, nil
}

// isAbsent is true for an empty body or a JSON null, which is how a page
// without an authenticator posts "no assertion".
func isAbsent(j []byte) bool {
	t := bytes.TrimSpace(j)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}
