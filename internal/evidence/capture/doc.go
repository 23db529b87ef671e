// Package capture binds the selfie frame bursts of one identity
// verification to the device that started it, with a WebAuthn platform
// credential.
//
// # Flow
//
// At the start of verification, when the browser has a platform
// authenticator, the verifier calls BeginEnrol, the page runs capture.js's
// enrol (navigator.credentials.create), and FinishEnrol checks the answer
// and returns a Binding, stored with the verification. For each burst the
// server issues a fresh nonce; the page captures the frames and signs them
// with signBurst (navigator.credentials.get, allowCredentials = the bound
// credential only, challenge = BurstChallenge); VerifyBurst then checks the
// assertion against the frames and nonce the server actually received.
// Without an authenticator there is no Binding: the verification can still
// pass, at a lower assurance rung that policy can refuse.
//
// # Hash construction
//
//	burstHash = SHA-256( for each frame, in order: u64be(len(frame)) || frame )
//	challenge = SHA-256( "vigil-capture-v1" || nonce || burstHash )
//
// u64be is the 8-byte big-endian length; frame is the exact bytes uploaded
// (for example the JPEG canvas.toBlob produced), not decoded pixels. The
// length prefixes make the frame sequence unambiguous; the tag keeps the
// challenge from meaning anything outside this protocol; the nonce (at
// least MinNonce bytes, server-issued, single use: the verifier's job) keeps
// a signed burst from being submitted twice. web/capture.js implements the
// same construction with crypto.subtle.digest.
//
// # What it proves
//
// A burst that passes VerifyBurst went through a page, on one of the
// Binding's origins, in a browser session with access to the platform key
// enrolled at the start of this verification (so, the same device, unless
// the credential is a synced passkey: see Binding.BackupEligible), after
// the server issued the nonce, and the frames the server holds are
// byte-for-byte the frames that page signed. Frames injected into the
// upload, swapped between sessions or devices, edited after signing, or
// replayed from an earlier burst are refused.
//
// # What it does not prove
//
// It binds; it does not prove the camera is real. Whatever feeds the page
// is signed: a virtual camera driver, a compromised browser or operating
// system, or a script injected into the page (which the CSP makes harder,
// not impossible) gets fake frames signed like real ones. Liveness and
// face matching judge the content; this package only says who sent it.
//
// Against a client that is itself hostile (a scripted browser, a modified
// page) the binding is only as strong as the attestation: with format
// "none" nothing shows that the key lives in a platform authenticator
// rather than in the attacker's software, and authenticatorAttachment is
// the browser's own claim. Then the binding still proves that every burst
// came from whoever enrolled at the start (no swapping or injection in
// transit, no replay), but not that a real device signed it.
//
// Attestation says which authenticator model holds the key, not who holds
// the device. FinishEnrol verifies every attestation statement format
// go-webauthn supports (packed, tpm, android-key, android-safetynet,
// apple, fido-u2f) and accepts "none", because browsers strip attestation
// by default; the Binding records AttestationFormat, AttestationType and
// the certificate chain. No FIDO metadata or vendor root is consulted, so
// even a verified statement is not chained to a manufacturer: the AAGUID
// is what the authenticator (format "none", or self attestation
// "basic_surrogate") or its unverified certificate (x5c) claims. Policy that
// needs a specific authenticator must check AttestationCerts against the
// vendor's root itself.
//
// This package is pure apart from go-webauthn (which reads the clock for
// attestation certificate validity): no I/O, no logging, and it must never
// import the verifier. Every refusal is an *Error carrying a Reason.
package capture
