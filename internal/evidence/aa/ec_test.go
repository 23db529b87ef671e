package aa

import (
	"crypto"
	"crypto/ecdsa"
	"encoding/asn1"
	"math/big"
	"testing"
)

// ecSigned builds an EC case: DG15 of k, DG14 naming alg, a signature with
// hash, and change applied to the response.
func ecSigned(k func() *ecdsa.PrivateKey, alg asn1.ObjectIdentifier, hash crypto.Hash, change func(resp []byte) []byte) func(t testing.TB) ([]byte, []byte, []byte, []byte) {
	return func(t testing.TB) ([]byte, []byte, []byte, []byte) {
		keys(t)
		key := k()
		ch := challenge8()
		resp := signEC(t, key, hash, ch)
		if change != nil {
			resp = change(resp)
		}
		return dg15Of(t, &key.PublicKey), dg14Of(caInfo(), aaInfo(1, alg)), ch, resp
	}
}

func p256() *ecdsa.PrivateKey { return ecP256 }
func p384() *ecdsa.PrivateKey { return ecP384 }

// withDG14 replaces DG14 in a good P-256 case.
func withDG14(dg14 []byte) func(t testing.TB) ([]byte, []byte, []byte, []byte) {
	return func(t testing.TB) ([]byte, []byte, []byte, []byte) {
		dg15, _, ch, resp := ecSigned(p256, oidPlainSHA256, crypto.SHA256, nil)(t)
		return dg15, dg14, ch, resp
	}
}

func ecCases() []vcase {
	return []vcase{
		{"P-256 ecdsa-plain-SHA256", ecSigned(p256, oidPlainSHA256, crypto.SHA256, nil), ""},
		{"P-256 ecdsa-plain-SHA1", ecSigned(p256, oidPlainSHA1, crypto.SHA1, nil), ""},
		{"P-384 X9.62 ecdsa-with-SHA384", ecSigned(p384, oidECDSASHA384, crypto.SHA384, nil), ""},
		{"P-256 hash unlike DG14's", ecSigned(p256, oidPlainSHA256, crypto.SHA1, nil), ReasonSignatureInvalid},
		{"wrong key", func(t testing.TB) ([]byte, []byte, []byte, []byte) {
			_, dg14, ch, resp := ecSigned(p256, oidPlainSHA256, crypto.SHA256, nil)(t)
			return dg15Of(t, &ecP256b.PublicKey), dg14, ch, resp
		}, ReasonSignatureInvalid},
		{"wrong challenge", func(t testing.TB) ([]byte, []byte, []byte, []byte) {
			dg15, dg14, ch, resp := ecSigned(p256, oidPlainSHA256, crypto.SHA256, nil)(t)
			return dg15, dg14, flip(ch, 0), resp
		}, ReasonSignatureInvalid},
		{"one byte short", ecSigned(p256, oidPlainSHA256, crypto.SHA256, func(r []byte) []byte { return r[1:] }), ReasonSignatureInvalid},
		{"one byte long", ecSigned(p256, oidPlainSHA256, crypto.SHA256, func(r []byte) []byte { return append(r, 0) }), ReasonSignatureInvalid},
		{"DER instead of plain", ecSigned(p256, oidPlainSHA256, crypto.SHA256, func(r []byte) []byte {
			der, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(r[:32]), new(big.Int).SetBytes(r[32:])})
			if err != nil {
				panic(err)
			}
			return der
		}), ReasonSignatureInvalid},
		{"r and s swapped", ecSigned(p256, oidPlainSHA256, crypto.SHA256, func(r []byte) []byte {
			return append(append([]byte(nil), r[32:]...), r[:32]...)
		}), ReasonSignatureInvalid},
		{"r = 0", ecSigned(p256, oidPlainSHA256, crypto.SHA256, func(r []byte) []byte { clear(r[:32]); return r }), ReasonSignatureInvalid},
		{"s = 0", ecSigned(p256, oidPlainSHA256, crypto.SHA256, func(r []byte) []byte { clear(r[32:]); return r }), ReasonSignatureInvalid},
		{"s = n", ecSigned(p256, oidPlainSHA256, crypto.SHA256, func(r []byte) []byte {
			ecP256.Curve.Params().N.FillBytes(r[32:])
			return r
		}), ReasonSignatureInvalid},
		{"P-384 signature under P-256 key", func(t testing.TB) ([]byte, []byte, []byte, []byte) {
			dg15, dg14, ch, _ := ecSigned(p256, oidPlainSHA256, crypto.SHA256, nil)(t)
			return dg15, dg14, ch, signEC(t, ecP384, crypto.SHA256, ch)
		}, ReasonSignatureInvalid},
		{"DG14 absent", withDG14(nil), ReasonUnsupported},
		{"DG14 without AA info", withDG14(dg14Of(caInfo())), ReasonUnsupported},
		{"DG14 unknown signature algorithm", withDG14(dg14Of(aaInfo(1, asn1.ObjectIdentifier{1, 2, 3}))), ReasonUnsupported},
		{"DG14 AA version 2", withDG14(dg14Of(aaInfo(2, oidPlainSHA256))), ReasonUnsupported},
		{"DG14 two AA infos", withDG14(dg14Of(aaInfo(1, oidPlainSHA256), aaInfo(1, oidPlainSHA1))), ReasonKeyMalformed},
		{"DG14 malformed", withDG14([]byte{0x6E, 0x02, 0x31, 0x05}), ReasonKeyMalformed},
		{"DG14 empty", withDG14([]byte{}), ReasonKeyMalformed},
		{"challenge of 7 bytes", func(t testing.TB) ([]byte, []byte, []byte, []byte) {
			dg15, dg14, ch, resp := ecSigned(p256, oidPlainSHA256, crypto.SHA256, nil)(t)
			return dg15, dg14, ch[:7], resp
		}, ReasonChallengeInvalid},
	}
}

func TestVerifyEC(t *testing.T) {
	for _, c := range ecCases() {
		t.Run(c.name, c.run)
	}
}

func TestVerifyECEveryBitFlip(t *testing.T) {
	dg15, dg14, ch, resp := ecSigned(p256, oidPlainSHA256, crypto.SHA256, nil)(t)
	if err := Verify(dg15, dg14, ch, resp); err != nil {
		t.Fatal(err)
	}
	for bit := range 8 * len(resp) {
		checkReason(t, Verify(dg15, dg14, ch, flip(resp, bit)), ReasonSignatureInvalid)
	}
}
