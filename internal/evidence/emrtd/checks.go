package emrtd

import (
	"github.com/vigil-gw/vigil/internal/evidence/dg2"
	"github.com/vigil-gw/vigil/internal/evidence/mrz"
)

// checkDG1 parses DG1 whether or not its hash matched, so the report shows
// what the chip claims; only the hash check makes it authentic.
func (v *verification) checkDG1() {
	b, ok := v.in.DataGroups[1]
	if !ok {
		v.fail(CheckDG1, ReasonDG1Missing, "DG1 (the chip's MRZ) was not provided")
		return
	}
	doc, err := ParseDG1(b, v.now)
	if err != nil {
		v.fail(CheckDG1, ReasonDG1Malformed, detailOf(err))
		return
	}
	v.dg1 = doc
	v.r.Document = newDocument(doc, v.now)
	v.pass(CheckDG1, doc.Format.String())
}

// crossCheckMRZ compares the chip's MRZ with the one printed on the
// document. A match ties the chip to the document the user photographed.
func (v *verification) crossCheckMRZ() {
	switch {
	case v.in.PrintedMRZ == "":
		v.skip(CheckMRZ, skippedNoPrinted)
		return
	case v.dg1 == nil:
		v.skip(CheckMRZ, skippedNoDocument)
		return
	}
	printed, err := mrz.Parse(v.in.PrintedMRZ, v.now)
	if err != nil {
		v.fail(CheckMRZ, ReasonPrintedMalformed, mrzProblem(err))
		return
	}
	if diff := mrzDiff(v.dg1, printed); len(diff) > 0 {
		v.fail(CheckMRZ, ReasonMRZMismatch, "differs: "+joinFields(diff))
		return
	}
	v.pass(CheckMRZ, "")
}

// checkDG2 extracts the face images. A missing DG2 is advisory (some
// readers skip it to save time); one that does not parse is not.
func (v *verification) checkDG2() {
	b, ok := v.in.DataGroups[2]
	if !ok {
		v.fail(CheckDG2, ReasonDG2Missing, "DG2 (the chip's portrait) was not provided")
		return
	}
	faces, err := dg2.Faces(b)
	if err != nil {
		v.fail(CheckDG2, ReasonDG2Malformed, err.Error())
		return
	}
	for _, f := range faces {
		v.r.Faces = append(v.r.Faces, newFace(f))
	}
	v.pass(CheckDG2, v.r.Faces[0].ImageType)
}
