package capture

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestBeginEnrolOptions(t *testing.T) {
	opts, st, err := BeginEnrol("ver-1", testRPID, "Vigil", []string{testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		RP   struct{ ID, Name string }
		User struct {
			ID          string
			Name        string
			DisplayName string
		}
		Challenge   string
		Params      []struct{ Alg int } `json:"pubKeyCredParams"`
		Attestation string
		Selection   struct {
			Attachment       string `json:"authenticatorAttachment"`
			UserVerification string `json:"userVerification"`
		} `json:"authenticatorSelection"`
	}
	if err := json.Unmarshal(opts, &o); err != nil {
		t.Fatal(err)
	}
	if o.RP.ID != testRPID || o.Attestation != "direct" || o.Selection.Attachment != "platform" ||
		o.Selection.UserVerification != "preferred" || len(o.Params) == 0 || o.Params[0].Alg != -7 {
		t.Errorf("options = %s", opts)
	}
	if len(optionsChallenge(t, opts)) != 32 {
		t.Errorf("challenge %q is not 32 bytes", o.Challenge)
	}
	// No personal data in what the authenticator stores.
	if bytes.Contains(opts, []byte("ver-1")) || bytes.Contains(st, []byte("ver-1")) {
		t.Errorf("verification ID leaked into options or state")
	}
	// Two enrolments never share a challenge.
	opts2, _, _ := BeginEnrol("ver-1", testRPID, "Vigil", []string{testOrigin})
	if bytes.Equal(optionsChallenge(t, opts), optionsChallenge(t, opts2)) {
		t.Error("challenge repeated")
	}
}

func TestBeginEnrolRefusesBadRP(t *testing.T) {
	for _, tc := range []struct {
		name, rpID string
		origins    []string
	}{
		{"no origins", "localhost", nil},
		{"empty rp", "", []string{testOrigin}},
		{"plain http", "example.com", []string{"http://example.com"}},
		{"outside rp", "example.com", []string{"https://example.org"}},
		{"suffix trick", "example.com", []string{"https://badexample.com"}},
		{"path", "example.com", []string{"https://example.com/capture"}},
		{"rp with port", "localhost:8443", []string{testOrigin}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := BeginEnrol("v", tc.rpID, "Vigil", tc.origins); err == nil {
				t.Error("accepted")
			}
		})
	}
	if _, _, err := BeginEnrol("v", "example.com", "Vigil", []string{"https://example.com", "https://id.example.com:8443"}); err != nil {
		t.Errorf("refused a good configuration: %v", err)
	}
}

func TestFinishEnrol(t *testing.T) {
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		name   string
		format string
		c      ceremony
		answer func(a *softAuth, challenge []byte, c ceremony) []byte // default a.create
		want   Reason
		check  func(t *testing.T, b *Binding)
	}{
		{name: "packed self attestation", format: "packed", check: func(t *testing.T, b *Binding) {
			if b.AttestationFormat != "packed" || b.AttestationType != "basic_surrogate" || !b.Attested() {
				t.Errorf("format %q type %q", b.AttestationFormat, b.AttestationType)
			}
		}},
		{name: "none", format: "none", check: func(t *testing.T, b *Binding) {
			if b.AttestationFormat != "none" || b.AttestationType != "none" || b.Attested() {
				t.Errorf("format %q type %q", b.AttestationFormat, b.AttestationType)
			}
		}},
		{name: "no user verification", format: "none", c: ceremony{flags: flagUP}, check: func(t *testing.T, b *Binding) {
			if b.UserVerified {
				t.Error("UserVerified without UV")
			}
		}},
		{name: "synced passkey", format: "none", c: ceremony{flags: flagUP | flagUV | flagBE}, check: func(t *testing.T, b *Binding) {
			if !b.BackupEligible {
				t.Error("BackupEligible not recorded")
			}
		}},
		{name: "cross-platform", format: "none", c: ceremony{attachment: str("cross-platform")}, want: ReasonNotPlatform},
		{name: "attachment missing", format: "none", c: ceremony{attachment: str("")}, want: ReasonNotPlatform},
		{name: "other challenge", format: "packed", answer: func(a *softAuth, ch []byte, c ceremony) []byte {
			return a.create(bytes.Repeat([]byte{7}, 32), c)
		}, want: ReasonChallenge},
		{name: "other origin", format: "packed", c: ceremony{origin: "https://evil.example"}, want: ReasonOrigin},
		{name: "cross-origin frame", format: "packed", c: ceremony{crossOrigin: true}, want: ReasonOrigin},
		{name: "other rp id", format: "packed", c: ceremony{rpID: "evil.example"}, want: ReasonOrigin},
		{name: "assertion instead", format: "packed", c: ceremony{typ: "webauthn.get"}, want: ReasonMalformed},
		{name: "no user presence", format: "none", c: ceremony{flags: flagUV}, want: ReasonPresence},
		{name: "attestation by another key", format: "packed", c: ceremony{badAttSig: true}, want: ReasonAttestation},
		{name: "garbage", format: "none", answer: func(*softAuth, []byte, ceremony) []byte { return []byte(`{"id":`) }, want: ReasonMalformed},
		{name: "empty", format: "none", answer: func(*softAuth, []byte, ceremony) []byte { return nil }, want: ReasonMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newSoftAuth(t, tc.format)
			opts, st, err := BeginEnrol("ver-1", testRPID, "Vigil", []string{testOrigin})
			if err != nil {
				t.Fatal(err)
			}
			answer := (*softAuth).create
			if tc.answer != nil {
				answer = tc.answer
			}
			b, err := FinishEnrol(st, answer(a, optionsChallenge(t, opts), tc.c))
			if got := ReasonOf(err); got != tc.want {
				t.Fatalf("reason = %q, want %q (err %v)", got, tc.want, err)
			}
			if tc.want != "" {
				return
			}
			if !bytes.Equal(b.CredentialID, a.credID) || !bytes.Equal(b.AAGUID, a.aaguid) ||
				!bytes.Equal(b.PublicKey, a.coseKey()) || b.RPID != testRPID {
				t.Errorf("binding = %+v", b)
			}
			if tc.check != nil {
				tc.check(t, b)
			}
			// The Binding survives the verifier's JSON record.
			j, _ := json.Marshal(b)
			var back Binding
			if err := json.Unmarshal(j, &back); err != nil || !bytes.Equal(back.PublicKey, b.PublicKey) {
				t.Errorf("JSON round trip: %v", err)
			}
		})
	}
}

func TestFinishEnrolState(t *testing.T) {
	a := newSoftAuth(t, "none")
	opts, st, _ := BeginEnrol("ver-1", testRPID, "Vigil", []string{testOrigin})
	resp := a.create(optionsChallenge(t, opts), ceremony{})
	b := enrolled(t, newSoftAuth(t, "none"))
	_, signState, _ := BeginSign(b, nil)
	for name, bad := range map[string][]byte{
		"empty":         nil,
		"garbage":       []byte("{"),
		"sign state":    signState,
		"trailing data": append(append([]byte(nil), st...), []byte(" {}")...),
		"unknown field": bytes.Replace(st, []byte(`{"kind"`), []byte(`{"x":1,"kind"`), 1),
	} {
		if _, err := FinishEnrol(bad, resp); ReasonOf(err) != ReasonMalformed {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := FinishEnrol(st, resp); err != nil {
		t.Errorf("good state refused: %v", err)
	}
}
