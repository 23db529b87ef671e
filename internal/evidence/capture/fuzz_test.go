package capture

import (
	"bytes"
	"testing"
)

// FuzzVerifyBurst feeds VerifyBurst assertions, a frame and a nonce from
// the page. Seeds are real assertions by the software authenticator:
// honest, and bent as in TestVerifyBurst. It must never panic, and must
// never accept a burst other than the one signed.
func FuzzVerifyBurst(f *testing.F) {
	a := newSoftAuth(f, "packed")
	b := enrolled(f, a)
	_, st, err := BeginSign(b, nil)
	if err != nil {
		f.Fatal(err)
	}
	frame, nonce := []byte("\xff\xd8seed-frame\xff\xd9"), bytes.Repeat([]byte{0x5a}, 32)
	challenge := BurstChallenge(nonce, BurstHash([][]byte{frame}))
	signed := map[string]bool{}
	for _, tc := range burstCases(f) {
		if tc.sign == nil {
			continue
		}
		assertion := tc.sign(a, challenge)
		f.Add(assertion, frame, nonce)
		if tc.want == "" {
			signed[string(assertion)] = true
		}
	}
	f.Add([]byte(`{"id":"","rawId":"","type":"public-key","response":{}}`), frame, nonce)
	f.Fuzz(func(t *testing.T, assertion, frame, nonce []byte) {
		b := *b // VerifyBurst must not change the binding
		b.SignCount = 0
		n, err := VerifyBurst(&b, st, assertion, [][]byte{frame}, nonce)
		if err == nil && !bytes.Equal(BurstChallenge(nonce, BurstHash([][]byte{frame})), challenge) {
			t.Fatalf("accepted a burst that was not signed (count %d)", n)
		}
		if err != nil && ReasonOf(err) == "" {
			t.Fatalf("error without a reason: %v", err)
		}
	})
}

// FuzzFinishEnrol feeds FinishEnrol enrolment responses from the page.
func FuzzFinishEnrol(f *testing.F) {
	opts, st, err := BeginEnrol("ver-fuzz", testRPID, "Vigil", []string{testOrigin})
	if err != nil {
		f.Fatal(err)
	}
	challenge := optionsChallenge(f, opts)
	for _, format := range []string{"packed", "none"} {
		a := newSoftAuth(f, format)
		f.Add(a.create(challenge, ceremony{}))
		f.Add(a.create(challenge, ceremony{badAttSig: true}))
		f.Add(a.create(challenge, ceremony{flags: flagUV}))
	}
	f.Fuzz(func(t *testing.T, response []byte) {
		b, err := FinishEnrol(st, response)
		if err != nil && ReasonOf(err) == "" {
			t.Fatalf("error without a reason: %v", err)
		}
		if err == nil && (len(b.CredentialID) == 0 || len(b.PublicKey) == 0) {
			t.Fatalf("accepted without a credential: %+v", b)
		}
	})
}
