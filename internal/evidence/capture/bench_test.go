package capture

import (
	"bytes"
	"testing"
)

// BenchmarkVerifyBurst: one 20-frame burst of 40 KiB JPEG-sized frames,
// the size liveness uploads; hashing the frames dominates.
func BenchmarkVerifyBurst(b *testing.B) {
	a := newSoftAuth(b, "packed")
	bind := enrolled(b, a)
	frames := make([][]byte, 20)
	for i := range frames {
		frames[i] = bytes.Repeat([]byte{byte(i)}, 40<<10)
	}
	nonce := bytes.Repeat([]byte{0x5a}, 32)
	_, st, err := BeginSign(bind, nil)
	if err != nil {
		b.Fatal(err)
	}
	assertion := a.get(BurstChallenge(nonce, BurstHash(frames)), ceremony{})
	b.SetBytes(20 * 40 << 10)
	b.ResetTimer()
	for b.Loop() {
		if _, err := VerifyBurst(bind, st, assertion, frames, nonce); err != nil {
			b.Fatal(err)
		}
	}
}
