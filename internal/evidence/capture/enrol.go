package capture

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
)

// ceremonyTimeout is how long the browser may take for one ceremony (ms).
const ceremonyTimeout = 120000

// credParams are the key algorithms offered, in order of preference:
// ES256 (Apple, Android, most security chips), RS256 (Windows Hello)
// and EdDSA.
var credParams = []protocol.CredentialParameter{
	{Type: protocol.PublicKeyCredentialType, Algorithm: webauthncose.AlgES256},
	{Type: protocol.PublicKeyCredentialType, Algorithm: webauthncose.AlgRS256},
	{Type: protocol.PublicKeyCredentialType, Algorithm: webauthncose.AlgEdDSA},
}

// BeginEnrol starts the enrolment of a platform credential for one
// verification. It returns the options for navigator.credentials.create
// (as JSON, binary fields base64url, the shape capture.js's enrol takes)
// and the state to keep server-side until FinishEnrol.
//
// The user entity carries no personal data: its ID is a hash of the
// verification ID and its names are fixed, since the credential exists
// only to bind this verification's captures to one device.
func BeginEnrol(verificationID, rpID, rpName string, origins []string) (optionsJSON, st []byte, err error) {
	if verificationID == "" {
		return nil, nil, fmt.Errorf("capture: empty verification ID")
	}
	if err := checkRP(rpID, origins); err != nil {
		return nil, nil, err
	}
	challenge, err := protocol.CreateChallenge()
	if err != nil {
		return nil, nil, fmt.Errorf("capture: challenge: %w", err)
	}
	userID := sha256.Sum256([]byte("vigil-capture-user\x00" + verificationID))
	opts := protocol.PublicKeyCredentialCreationOptions{
		RelyingParty: protocol.RelyingPartyEntity{CredentialEntity: protocol.CredentialEntity{Name: rpName}, ID: rpID},
		User: protocol.UserEntity{
			CredentialEntity: protocol.CredentialEntity{Name: "identity-verification"},
			DisplayName:      "Identity verification",
			ID:               protocol.URLEncodedBase64(userID[:]),
		},
		Challenge:  challenge,
		Parameters: credParams,
		Timeout:    ceremonyTimeout,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			AuthenticatorAttachment: protocol.Platform,
			ResidentKey:             protocol.ResidentKeyRequirementDiscouraged,
			RequireResidentKey:      protocol.ResidentKeyNotRequired(),
			UserVerification:        protocol.VerificationPreferred,
		},
		// Direct: we want the authenticator's own statement when it will
		// give one; browsers may still answer "none" (see FinishEnrol).
		Attestation: protocol.PreferDirectAttestation,
	}
	if optionsJSON, err = json.Marshal(opts); err != nil {
		return nil, nil, fmt.Errorf("capture: options: %w", err)
	}
	if st, err = encodeState(state{Kind: kindEnrol, Challenge: challenge, RPID: rpID, Origins: origins}); err != nil {
		return nil, nil, fmt.Errorf("capture: state: %w", err)
	}
	return optionsJSON, st, nil
}

// FinishEnrol checks the browser's answer to navigator.credentials.create
// and returns the Binding to store.
//
// Accepted: a platform authenticator (authenticatorAttachment "platform",
// as the browser reports it; an answer without it is refused, failing
// closed), user presence, and an
// attestation statement that verifies in any format go-webauthn supports,
// or format "none". "none" is accepted because browsers strip attestation
// for privacy unless the RP is on an enterprise list, and refusing it would
// refuse most devices; the Binding records the format and type so that
// policy can require an attested (or a specific) authenticator. User
// verification is preferred, not required, and recorded.
func FinishEnrol(st, responseJSON []byte) (*Binding, error) {
	s, e := decodeState(st, kindEnrol)
	if e != nil {
		return nil, e
	}
	if len(responseJSON) == 0 || len(responseJSON) > maxAssertion {
		return nil, refuse(ReasonMalformed, "enrolment response missing or too large")
	}
	pcc, err := protocol.ParseCredentialCreationResponseBytes(responseJSON)
	if err != nil {
		return nil, refuseWith(ReasonMalformed, "enrolment response does not parse", err)
	}
	if pcc.AuthenticatorAttachment != protocol.Platform {
		return nil, refuse(ReasonNotPlatform, "credential is not on a platform authenticator")
	}
	if e := checkClientData(&pcc.Response.CollectedClientData, protocol.CreateCeremony, s.Challenge, s.Origins, ReasonChallenge); e != nil {
		return nil, e
	}
	att := &pcc.Response.AttestationObject
	if e := checkAuthData(&att.AuthData, s.RPID); e != nil {
		return nil, e
	}
	challenge := base64.RawURLEncoding.EncodeToString(s.Challenge)
	if _, err := pcc.Verify(challenge, s.RPID, s.Origins, nil, nil, protocol.TopOriginExplicitVerificationMode,
		false, false, true, nil, credParams, protocol.AttestationPolicy{}, protocol.SignaturePolicy{}); err != nil {
		return nil, refuseWith(ReasonAttestation, "attestation does not verify", err)
	}
	data := att.AuthData.AttData
	if len(data.CredentialID) == 0 || len(data.CredentialPublicKey) == 0 {
		return nil, refuse(ReasonMalformed, "no attested credential data")
	}
	return &Binding{
		CredentialID:      clone(data.CredentialID),
		PublicKey:         clone(data.CredentialPublicKey),
		AAGUID:            clone(data.AAGUID),
		SignCount:         att.AuthData.Counter,
		AttestationFormat: att.Format,
		AttestationType:   att.Type,
		AttestationCerts:  certChain(att.AttStatement),
		UserVerified:      att.AuthData.Flags.HasUserVerified(),
		BackupEligible:    att.AuthData.Flags.HasBackupEligible(),
		RPID:              s.RPID,
		Origins:           s.Origins,
	}, nil
}

// certChain returns the x5c certificates of an attestation statement
// (already checked by go-webauthn to be DER certificates when present).
func certChain(stmt map[string]any) [][]byte {
	x5c, _ := stmt["x5c"].([]any)
	var out [][]byte
	for _, c := range x5c {
		if der, ok := c.([]byte); ok {
			out = append(out, clone(der))
		}
	}
	return out
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
