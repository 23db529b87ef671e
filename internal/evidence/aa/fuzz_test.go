package aa

import (
	"errors"
	"testing"
)

var reasons = map[string]bool{
	ReasonSignatureInvalid: true, ReasonKeyMalformed: true,
	ReasonUnsupported: true, ReasonChallengeInvalid: true,
}

// checkFuzzErr fails unless err is nil or an *Error with a known reason.
func checkFuzzErr(t *testing.T, err error) {
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) || !reasons[e.Reason] {
		t.Fatalf("untyped or unknown error %T: %v", err, err)
	}
}

func FuzzParseDG15(f *testing.F) {
	keys(f)
	f.Add(readSample(f, "Datagroup15.bin"))
	f.Add(dg15Of(f, &rsa1024.PublicKey))
	f.Add(dg15Of(f, &ecP256.PublicKey))
	f.Add(unsignedDG15(&rsa1024.PublicKey))
	f.Add(wrap(0x6F, caPublicKey(f, readSample(f, "Datagroup14.bin"))))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParseDG15(b)
		checkFuzzErr(t, err)
		if err == nil && (k == nil || k.Key == nil || k.Type == "") {
			t.Fatalf("unusable key %+v", k)
		}
	})
}

func FuzzAlgorithmFromDG14(f *testing.F) {
	f.Add(readSample(f, "Datagroup14.bin"))
	f.Add(dg14Of(caInfo(), aaInfo(1, oidPlainSHA256)))
	f.Add(dg14Of(aaInfo(1, oidECDSASHA384)))
	f.Add(dg14Of(aaInfo(1, oidPlainSHA1), aaInfo(1, oidPlainSHA1)))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, ok, err := AlgorithmFromDG14(b)
		checkFuzzErr(t, err)
		if ok != (err == nil && h != 0) || (ok && !h.Available()) {
			t.Fatalf("hash %v ok %v err %v", h, ok, err)
		}
	})
}

// FuzzVerify mutates all four inputs of good RSA and EC cases.
func FuzzVerify(f *testing.F) {
	for _, c := range append(rsaCases(), ecCases()...) {
		dg15, dg14, ch, resp := c.build(f)
		f.Add(dg15, dg14, ch, resp)
	}
	f.Fuzz(func(t *testing.T, dg15, dg14, challenge, response []byte) {
		checkFuzzErr(t, Verify(dg15, dg14, challenge, response))
	})
}
