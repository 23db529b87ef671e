package capture

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"
)

func TestBurstHashConstruction(t *testing.T) {
	// Restates doc.go's construction byte by byte.
	want := sha256.Sum256([]byte("\x00\x00\x00\x00\x00\x00\x00\x02ab\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01c"))
	if got := BurstHash([][]byte{[]byte("ab"), {}, []byte("c")}); !bytes.Equal(got, want[:]) {
		t.Errorf("BurstHash = %x, want %x", got, want)
	}
	nonce := bytes.Repeat([]byte{1}, 16)
	wantC := sha256.Sum256(append(append([]byte("vigil-capture-v1"), nonce...), want[:]...))
	if got := BurstChallenge(nonce, want[:]); !bytes.Equal(got, wantC[:]) {
		t.Errorf("BurstChallenge = %x, want %x", got, wantC)
	}
	// Length prefixes: moving a byte across a frame boundary changes the hash.
	if bytes.Equal(BurstHash([][]byte{[]byte("ab"), []byte("c")}), BurstHash([][]byte{[]byte("a"), []byte("bc")})) {
		t.Error("frame boundaries not committed")
	}
}

// burstCase is one upload: what the page signed and what reached the server.
type burstCase struct {
	name string
	// serverChallenge: BeginSign got the challenge (the page sent the burst
	// hash first) rather than nil.
	serverChallenge bool
	// sign returns the assertion the page posts; nil means none.
	sign func(a *softAuth, challenge []byte) []byte
	// received changes the frames and nonce after signing.
	received func(frames [][]byte, nonce []byte) ([][]byte, []byte)
	// binding changes the stored binding before verification.
	binding func(b *Binding)
	want    Reason
}

func testFrames() ([][]byte, []byte) {
	frames := [][]byte{[]byte("\xff\xd8frame-0\xff\xd9"), []byte("\xff\xd8frame-1\xff\xd9"), []byte("\xff\xd8frame-2\xff\xd9")}
	return frames, bytes.Repeat([]byte{0x5a}, 32)
}

func honest(a *softAuth, ch []byte) []byte { return a.get(ch, ceremony{}) }

// mutateJSON changes one base64url field of the assertion's response
// without re-signing.
func mutateJSON(t testing.TB, assertion []byte, field string, f func([]byte) []byte) []byte {
	var m map[string]any
	if err := json.Unmarshal(assertion, &m); err != nil {
		t.Fatal(err)
	}
	resp := m["response"].(map[string]any)
	raw, err := base64.RawURLEncoding.DecodeString(resp[field].(string))
	if err != nil {
		t.Fatal(err)
	}
	resp[field] = b64(f(raw))
	out, _ := json.Marshal(m)
	return out
}

func flipBit(i int) func([]byte) []byte {
	return func(b []byte) []byte {
		b = append([]byte(nil), b...)
		b[i%len(b)] ^= 1 << (i % 8)
		return b
	}
}

func burstCases(t testing.TB) []burstCase {
	u32 := func(n uint32) *uint32 { return &n }
	other := newSoftAuth(t, "packed")
	enrolled(t, other)
	cases := []burstCase{
		{name: "happy, page computes challenge", sign: honest},
		{name: "happy, server issued challenge", serverChallenge: true, sign: honest},
		{name: "happy, authenticator without counter", sign: func(a *softAuth, ch []byte) []byte {
			return a.get(ch, ceremony{counter: u32(0)})
		}},
		{name: "no assertion", sign: nil, want: ReasonUnsigned},
		{name: "null assertion", sign: func(*softAuth, []byte) []byte { return []byte(" null ") }, want: ReasonUnsigned},
		{name: "no binding", sign: honest, binding: func(b *Binding) { *b = Binding{} }, want: ReasonUnsigned},
		{name: "signed with another credential", sign: func(_ *softAuth, ch []byte) []byte { return other.get(ch, ceremony{}) }, want: ReasonWrongCredential},
		{name: "another credential claiming our ID", sign: func(a *softAuth, ch []byte) []byte {
			impostor := newSoftAuth(t, "packed")
			impostor.credID = a.credID
			return impostor.get(ch, ceremony{})
		}, want: ReasonSignatureInvalid},
		{name: "frame changed after signing", sign: honest, received: func(f [][]byte, n []byte) ([][]byte, []byte) {
			f[1] = flipBit(20)(f[1])
			return f, n
		}, want: ReasonHashMismatch},
		{name: "frame changed, server issued challenge", serverChallenge: true, sign: honest, received: func(f [][]byte, n []byte) ([][]byte, []byte) {
			f[2] = []byte("injected")
			return f, n
		}, want: ReasonHashMismatch},
		{name: "frame dropped", sign: honest, received: func(f [][]byte, n []byte) ([][]byte, []byte) { return f[:2], n }, want: ReasonHashMismatch},
		{name: "frames reordered", sign: honest, received: func(f [][]byte, n []byte) ([][]byte, []byte) {
			f[0], f[1] = f[1], f[0]
			return f, n
		}, want: ReasonHashMismatch},
		{name: "frame added", sign: honest, received: func(f [][]byte, n []byte) ([][]byte, []byte) { return append(f, f[0]), n }, want: ReasonHashMismatch},
		{name: "wrong nonce", sign: honest, received: func(f [][]byte, n []byte) ([][]byte, []byte) {
			return f, bytes.Repeat([]byte{0xa5}, 32)
		}, want: ReasonHashMismatch},
		{name: "signed another burst", sign: func(a *softAuth, _ []byte) []byte {
			return a.get(BurstChallenge(bytes.Repeat([]byte{0x5a}, 32), BurstHash([][]byte{[]byte("other")})), ceremony{})
		}, want: ReasonHashMismatch},
		{name: "other origin", sign: func(a *softAuth, ch []byte) []byte { return a.get(ch, ceremony{origin: "https://evil.example"}) }, want: ReasonOrigin},
		{name: "other port", sign: func(a *softAuth, ch []byte) []byte { return a.get(ch, ceremony{origin: "http://localhost:9999"}) }, want: ReasonOrigin},
		{name: "cross-origin frame", sign: func(a *softAuth, ch []byte) []byte { return a.get(ch, ceremony{crossOrigin: true}) }, want: ReasonOrigin},
		{name: "other rp id", sign: func(a *softAuth, ch []byte) []byte { return a.get(ch, ceremony{rpID: "evil.example"}) }, want: ReasonOrigin},
		{name: "create instead of get", sign: func(a *softAuth, ch []byte) []byte { return a.get(ch, ceremony{typ: "webauthn.create"}) }, want: ReasonMalformed},
		{name: "no user presence", sign: func(a *softAuth, ch []byte) []byte { return a.get(ch, ceremony{flags: flagUV}) }, want: ReasonPresence},
		{name: "UV bit set after signing", sign: func(a *softAuth, ch []byte) []byte {
			return mutateJSON(t, a.get(ch, ceremony{flags: flagUP}), "authenticatorData", func(b []byte) []byte {
				b = append([]byte(nil), b...)
				b[32] |= flagUV
				return b
			})
		}, want: ReasonSignatureInvalid},
		{name: "counter raised after signing", sign: func(a *softAuth, ch []byte) []byte {
			return mutateJSON(t, a.get(ch, ceremony{}), "authenticatorData", func(b []byte) []byte {
				b = append([]byte(nil), b...)
				b[36] += 9
				return b
			})
		}, want: ReasonSignatureInvalid},
		{name: "client data field added after signing", sign: func(a *softAuth, ch []byte) []byte {
			return mutateJSON(t, a.get(ch, ceremony{}), "clientDataJSON", func(b []byte) []byte {
				return append(bytes.TrimSuffix(b, []byte("}")), []byte(`,"x":1}`)...)
			})
		}, want: ReasonSignatureInvalid},
		{name: "counter not increasing", sign: honest, binding: func(b *Binding) { b.SignCount = 1 }, want: ReasonReplay},
		{name: "counter went back", sign: honest, binding: func(b *Binding) { b.SignCount = 40 }, want: ReasonReplay},
		{name: "counter dropped to zero", sign: func(a *softAuth, ch []byte) []byte {
			return a.get(ch, ceremony{counter: u32(0)})
		}, binding: func(b *Binding) { b.SignCount = 3 }, want: ReasonReplay},
		{name: "garbage", sign: func(*softAuth, []byte) []byte { return []byte(`{"id":"x"`) }, want: ReasonMalformed},
		{name: "no frames", sign: honest, received: func(_ [][]byte, n []byte) ([][]byte, []byte) { return nil, n }, want: ReasonMalformed},
		{name: "short nonce", sign: honest, received: func(f [][]byte, _ []byte) ([][]byte, []byte) { return f, []byte("short") }, want: ReasonMalformed},
	}
	// Signature bit flips anywhere in the DER signature.
	for _, bit := range []int{0, 9, 70, 200, 300, 500} {
		cases = append(cases, burstCase{name: "signature bit flip", sign: func(a *softAuth, ch []byte) []byte {
			return mutateJSON(t, a.get(ch, ceremony{}), "signature", flipBit(bit))
		}, want: ReasonSignatureInvalid})
	}
	return cases
}

// runBurst enrols a fresh authenticator and runs one case; it returns the
// assertion posted (for fuzz seeds) and VerifyBurst's result.
func runBurst(t testing.TB, tc burstCase) (assertion []byte, count uint32, err error) {
	a := newSoftAuth(t, "packed")
	b := enrolled(t, a)
	frames, nonce := testFrames()
	challenge := BurstChallenge(nonce, BurstHash(frames))
	var issued []byte
	if tc.serverChallenge {
		issued = challenge
	}
	opts, st, err := BeginSign(b, issued)
	if err != nil {
		t.Fatal(err)
	}
	if got := optionsChallenge(t, opts); !bytes.Equal(got, issued) {
		t.Fatalf("options challenge %x, want %x", got, issued)
	}
	if tc.sign != nil {
		assertion = tc.sign(a, challenge)
	}
	if tc.received != nil {
		frames, nonce = tc.received(frames, nonce)
	}
	if tc.binding != nil {
		tc.binding(b)
	}
	count, err = VerifyBurst(b, st, assertion, frames, nonce)
	return assertion, count, err
}

func TestVerifyBurst(t *testing.T) {
	for _, tc := range burstCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			_, count, err := runBurst(t, tc)
			if got := ReasonOf(err); got != tc.want {
				t.Fatalf("reason = %q, want %q (err %v)", got, tc.want, err)
			}
			if err != nil && count != 0 {
				t.Errorf("refused but count = %d", count)
			}
			if err == nil && tc.name != "happy, authenticator without counter" && count != 1 {
				t.Errorf("count = %d, want 1", count)
			}
		})
	}
}

// TestVerifyBurstSequence: each burst needs a counter above the last one
// stored, so the same assertion cannot be used twice.
func TestVerifyBurstSequence(t *testing.T) {
	a := newSoftAuth(t, "none")
	b := enrolled(t, a)
	frames, nonce := testFrames()
	_, st, _ := BeginSign(b, nil)
	assertion := a.get(BurstChallenge(nonce, BurstHash(frames)), ceremony{})
	n, err := VerifyBurst(b, st, assertion, frames, nonce)
	if err != nil {
		t.Fatal(err)
	}
	b.SignCount = n
	if _, err := VerifyBurst(b, st, assertion, frames, nonce); ReasonOf(err) != ReasonReplay {
		t.Errorf("replayed assertion: %v", err)
	}
	again := a.get(BurstChallenge(nonce, BurstHash(frames)), ceremony{})
	if n2, err := VerifyBurst(b, st, again, frames, nonce); err != nil || n2 != n+1 {
		t.Errorf("next burst: count %d, err %v", n2, err)
	}
}

func TestVerifyBurstState(t *testing.T) {
	a := newSoftAuth(t, "none")
	b := enrolled(t, a)
	other := enrolled(t, newSoftAuth(t, "none"))
	frames, nonce := testFrames()
	assertion := a.get(BurstChallenge(nonce, BurstHash(frames)), ceremony{})
	_, enrolState, _ := BeginEnrol("v", testRPID, "Vigil", []string{testOrigin})
	_, otherState, _ := BeginSign(other, nil)
	for name, tc := range map[string]struct {
		st   []byte
		want Reason
	}{
		"empty":            {nil, ReasonMalformed},
		"enrol state":      {enrolState, ReasonMalformed},
		"other credential": {otherState, ReasonWrongCredential},
	} {
		if _, err := VerifyBurst(b, tc.st, assertion, frames, nonce); ReasonOf(err) != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
}

func TestBeginSign(t *testing.T) {
	b := enrolled(t, newSoftAuth(t, "none"))
	opts, _, err := BeginSign(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		RPID  string                      `json:"rpId"`
		Allow []struct{ ID, Type string } `json:"allowCredentials"`
	}
	if err := json.Unmarshal(opts, &o); err != nil {
		t.Fatal(err)
	}
	if o.RPID != testRPID || len(o.Allow) != 1 || o.Allow[0].ID != b64(b.CredentialID) {
		t.Errorf("options = %s", opts)
	}
	if _, _, err := BeginSign(b, []byte("short")); err == nil {
		t.Error("accepted a challenge that is not BurstChallenge's size")
	}
	if _, _, err := BeginSign(&Binding{}, nil); err == nil {
		t.Error("accepted an empty binding")
	}
}
