package capture

// Binding is what the verifier stores for one verification after
// enrolment: the platform credential that every burst of this verification
// must be signed with. It is JSON so that it fits the verifier's steps
// record. It holds no personal data: the credential ID and key are random
// per credential, and the AAGUID names an authenticator model.
type Binding struct {
	// CredentialID is the credential's raw ID; assertions must use it.
	CredentialID []byte `json:"credential_id"`
	// PublicKey is the credential public key as a COSE_Key (CBOR).
	PublicKey []byte `json:"public_key"`
	// AAGUID is the 16-byte authenticator model ID from the attested
	// credential data. It is only as trustworthy as the attestation: with
	// format "none" or self attestation the authenticator merely claims it.
	AAGUID []byte `json:"aaguid"`
	// SignCount is the last signature counter seen. After VerifyBurst
	// succeeds, store the count it returns here.
	SignCount uint32 `json:"sign_count"`
	// AttestationFormat is the attestation statement format: "packed",
	// "tpm", "android-key", "apple", "fido-u2f", "android-safetynet" or
	// "none" (the browser or authenticator gave no attestation).
	AttestationFormat string `json:"attestation_format"`
	// AttestationType is how the statement was signed, as go-webauthn
	// reports it: "basic_full" (an attestation certificate), "attca",
	// "anonca", "basic_surrogate" (self attestation: signed with the
	// credential key itself) or "none".
	AttestationType string `json:"attestation_type"`
	// AttestationCerts is the attestation certificate chain (DER, leaf
	// first) when the format carries one. It has been checked to sign the
	// statement, but not chained to a vendor root: keep it so that policy
	// or a later review can.
	AttestationCerts [][]byte `json:"attestation_certs,omitempty"`
	// UserVerified is whether the authenticator verified the user (PIN or
	// biometric) at enrolment.
	UserVerified bool `json:"user_verified"`
	// BackupEligible is set for a synced credential (a passkey that can
	// leave this device), which binds the burst to an account rather
	// than to a device.
	BackupEligible bool `json:"backup_eligible"`
	// RPID and Origins are where the credential may be used; assertions
	// are checked against them.
	RPID    string   `json:"rp_id"`
	Origins []string `json:"origins"`
}

// Attested reports whether enrolment carried an attestation statement
// that verified (any format but "none"). It does not mean the
// authenticator model is trusted: no vendor root was checked.
func (b *Binding) Attested() bool {
	return b != nil && b.AttestationFormat != "" && b.AttestationFormat != "none"
}
