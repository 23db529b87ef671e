package emrtd

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/chip"
	"github.com/vigil-gw/vigil/internal/evidence/dg2"
	"github.com/vigil-gw/vigil/internal/evidence/mrz"
	"github.com/vigil-gw/vigil/internal/evidence/pki"
	"github.com/vigil-gw/vigil/internal/evidence/trust"
)

// maxDataGroupSize bounds each data group file; DG2 faces and DG3
// fingerprints are tens of kilobytes.
const maxDataGroupSize = dg2.MaxInputLen

// Trust chains a Document Signer certificate to a trusted CSCA, valid at
// the given time. It returns the CSCA, or an error carrying a reason
// (a *trust.Error, whose Reason the report copies) and never a CSCA with an
// error. *trust.Store implements it.
type Trust interface {
	Chain(ds *pki.Certificate, at time.Time) (*pki.Certificate, error)
}

var _ Trust = (*trust.Store)(nil)

// Input is what a reader client uploaded from one chip, plus the MRZ the
// caller read off the document image.
type Input struct {
	COM []byte // EF.COM, optional
	SOD []byte // EF.SOD
	// DataGroups maps data group numbers (1..16) to the full files as read
	// from the chip, tag and length included.
	DataGroups map[int][]byte
	// Challenge is the nonce the verifier sent to the chip for active
	// authentication, and AAResponse the chip's answer; both optional.
	Challenge, AAResponse []byte
	// PrintedMRZ is the MRZ read from the document image (OCR, already
	// corrected by the user if needed), as raw lines; optional.
	PrintedMRZ string
}

// Verify performs passive authentication (and active authentication when
// a challenge and response are given) and returns the report. now is the
// time the Document Signer must be valid at and resolves MRZ years. tr may
// be nil (an untyped nil, not a nil *trust.Store): the chain check then
// fails with csca-unknown. Verify never
// panics on malformed input and every failure is fail-closed.
func Verify(in Input, tr Trust, now time.Time) *Report {
	v := &verification{in: in, tr: tr, now: now, r: &Report{Reasons: []string{}}}
	v.checkCOM()
	v.checkSOD()
	v.checkSignature()
	v.checkChain()
	v.checkHashes()
	v.checkDG1()
	v.crossCheckMRZ()
	v.checkDG2()
	v.checkAA()
	r := v.r
	r.PassiveAuth = v.paChecks > 0
	for _, c := range r.Checks {
		if isPACheck(c.Name) && !c.OK {
			r.PassiveAuth = false
		}
	}
	return r
}

// isPACheck reports whether a check is one passive authentication needs.
func isPACheck(name string) bool {
	switch name {
	case CheckSOD, CheckSignature, CheckChain, CheckDG1:
		return true
	}
	return strings.HasPrefix(name, checkHashPrefix)
}

type verification struct {
	in  Input
	tr  Trust
	now time.Time
	r   *Report

	sod      *chip.SOD
	dg1      *mrz.Document
	sigOK    bool
	hashOK   map[int]bool
	paChecks int
}

func (v *verification) pass(name, detail string) {
	v.add(Check{Name: name, OK: true, Detail: detail})
}

func (v *verification) fail(name, reason, detail string) {
	v.add(Check{Name: name, Reason: reason, Detail: detail})
}

func (v *verification) skip(name, detail string) {
	v.add(Check{Name: name, Skipped: true, Detail: detail})
}

func (v *verification) add(c Check) {
	if isPACheck(c.Name) {
		v.paChecks++
	}
	v.r.Checks = append(v.r.Checks, c)
	if c.Reason != "" && !slices.Contains(v.r.Reasons, c.Reason) {
		v.r.Reasons = append(v.r.Reasons, c.Reason)
	}
}

// checkCOM parses EF.COM when given. It is unsigned, so it never decides
// passive authentication; a list that disagrees with the SOD is only noted
// (the BSI specimen's does).
func (v *verification) checkCOM() {
	if v.in.COM == nil {
		return
	}
	com, err := ParseCOM(v.in.COM)
	if err != nil {
		v.fail(CheckCOM, ReasonCOMMalformed, detailOf(err))
		return
	}
	v.r.COM = com
	v.pass(CheckCOM, "LDS "+com.LDSVersion)
}

func (v *verification) checkSOD() {
	if len(v.in.SOD) == 0 {
		v.fail(CheckSOD, chip.ReasonMalformed, "no EF.SOD given")
		return
	}
	sod, err := chip.ParseSOD(v.in.SOD)
	if err != nil {
		v.fail(CheckSOD, reasonOf(err, chip.ReasonMalformed), detailOf(err))
		return
	}
	v.sod = sod
	for n := range sod.DataGroupHashes {
		v.r.SODDataGroups = append(v.r.SODDataGroups, n)
	}
	slices.Sort(v.r.SODDataGroups)
	v.r.DocumentSigner = summarise(sod.DocumentSigner)
	detail := fmt.Sprintf("%v hashes for %s", sod.DigestAlgorithm, dgList(v.r.SODDataGroups))
	if v.r.COM != nil && !slices.Equal(v.r.COM.DataGroups, v.r.SODDataGroups) {
		detail += "; EF.COM (unsigned, not used) lists " + dgList(v.r.COM.DataGroups)
	}
	v.pass(CheckSOD, detail)
}

func (v *verification) checkSignature() {
	if v.sod == nil {
		v.skip(CheckSignature, skippedNoSOD)
		return
	}
	if err := v.sod.VerifySignature(); err != nil {
		v.fail(CheckSignature, reasonOf(err, chip.ReasonSignatureInvalid), detailOf(err))
		return
	}
	v.sigOK = true
	v.pass(CheckSignature, "signed by "+v.r.DocumentSigner.Subject)
}

// checkChain runs even when the signature failed, as long as a Document
// Signer was found, so the report says everything that is wrong at once.
func (v *verification) checkChain() {
	switch {
	case v.sod == nil:
		v.skip(CheckChain, skippedNoSOD)
		return
	case v.sod.DocumentSigner == nil:
		v.skip(CheckChain, "not checked: no Document Signer certificate identified")
		return
	case v.tr == nil:
		v.fail(CheckChain, trust.ReasonCSCAUnknown, "no trusted CSCAs configured")
		return
	}
	csca, err := v.tr.Chain(v.sod.DocumentSigner, v.now)
	if err == nil && csca == nil {
		err = &trust.Error{Reason: trust.ReasonDSNotChained, Detail: "trust store returned no CSCA"}
	}
	if err != nil {
		v.fail(CheckChain, reasonOf(err, trust.ReasonDSNotChained), detailOf(err))
		return
	}
	v.r.CSCA = summarise(csca)
	v.pass(CheckChain, "issued by "+v.r.CSCA.Subject)
}

// checkHashes checks every provided data group against the SOD, one check
// each in data group order.
func (v *verification) checkHashes() {
	nums := make([]int, 0, len(v.in.DataGroups))
	for n := range v.in.DataGroups {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	v.hashOK = map[int]bool{}
	for _, n := range nums {
		name := fmt.Sprintf("%sDG%d", checkHashPrefix, n)
		b := v.in.DataGroups[n]
		switch {
		case n < 1 || n > 16:
			v.fail(name, ReasonDGInvalid, "data group numbers run from 1 to 16")
			continue
		case len(b) > maxDataGroupSize:
			v.fail(name, ReasonDGInvalid, fmt.Sprintf("%d bytes exceeds the %d byte limit", len(b), maxDataGroupSize))
			continue
		case v.sod == nil:
			v.skip(name, skippedNoSOD)
			continue
		}
		res := v.sod.CheckDataGroups(map[int][]byte{n: b})
		if len(res) != 1 || !res[0].OK {
			reason := fmt.Sprintf("dg-hash-mismatch:DG%d", n)
			if len(res) == 1 {
				reason = res[0].Reason
			}
			v.fail(name, reason, "")
			continue
		}
		v.hashOK[n] = true
		v.pass(name, "")
	}
}

// authentic reports whether data group n is covered by a verified SOD
// signature with a matching hash (chaining is judged separately).
func (v *verification) authentic(n int) bool { return v.sigOK && v.hashOK[n] }

func dgList(nums []int) string {
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = fmt.Sprintf("DG%d", n)
	}
	return strings.Join(parts, " ")
}

// reasonOf returns the machine-readable reason of a chip, trust or emrtd
// error, or fallback for any other error.
func reasonOf(err error, fallback string) string {
	var ce *chip.Error
	var te *trust.Error
	var ee *Error
	switch {
	case errors.As(err, &ce):
		return ce.Reason
	case errors.As(err, &te):
		return te.Reason
	case errors.As(err, &ee):
		return ee.Reason
	}
	return fallback
}

func detailOf(err error) string {
	var ce *chip.Error
	var te *trust.Error
	var ee *Error
	switch {
	case errors.As(err, &ce):
		return ce.Detail
	case errors.As(err, &te):
		return te.Detail
	case errors.As(err, &ee):
		return ee.Detail
	}
	return err.Error()
}
