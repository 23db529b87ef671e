package emrtd

import (
	"errors"

	"github.com/vigil-gw/vigil/internal/evidence/aa"
)

// checkAA runs active authentication (Doc 9303 part 11, 6.1): the chip
// signs the verifier's challenge with the private key whose public half is
// in DG15. It proves the chip is not a copy, which passive authentication
// cannot. The key is used only when DG15 (and DG14 if given) are covered
// by the verified SOD signature.
func (v *verification) checkAA() {
	dg15, haveKey := v.in.DataGroups[15]
	listed := v.sod != nil && v.sod.DataGroupHashes[15] != nil
	sent := len(v.in.Challenge) > 0 || len(v.in.AAResponse) > 0
	switch {
	case !sent && (listed || haveKey || v.sod == nil):
		v.r.ActiveAuth = AANotPerformed
		v.skip(CheckAA, "not performed: no challenge and response given")
		return
	case !sent:
		v.r.ActiveAuth = AANotSupported
		v.skip(CheckAA, "not supported: the SOD lists no DG15")
		return
	}
	// From here the client claims the chip answered a challenge, so every
	// gap is a failure: a cloned chip would rather withhold DG15 than fail.
	v.r.ActiveAuth = AAFailed
	_, haveDG14 := v.in.DataGroups[14]
	switch {
	case !haveKey:
		v.fail(CheckAA, ReasonDG15Missing, "a response was given but DG15 (the chip's AA key) was not")
		return
	case !v.authentic(15) || haveDG14 && !v.authentic(14):
		v.fail(CheckAA, ReasonAAKeyUnverified, "DG15 or DG14 is not covered by a verified SOD signature")
		return
	}
	if err := aa.Verify(dg15, v.in.DataGroups[14], v.in.Challenge, v.in.AAResponse); err != nil {
		var ae *aa.Error
		if errors.As(err, &ae) {
			v.fail(CheckAA, ae.Reason, ae.Detail)
		} else {
			v.fail(CheckAA, aa.ReasonSignatureInvalid, err.Error())
		}
		return
	}
	v.r.ActiveAuth = AAPassed
	v.pass(CheckAA, "the chip signed the challenge with its DG15 key")
}
