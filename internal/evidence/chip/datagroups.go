package chip

import (
	"crypto/subtle"
	"fmt"
	"slices"
)

// CheckDataGroups hashes each provided data group (the full file bytes,
// tag included) with the SOD's DigestAlgorithm and compares it with the
// SOD's hash. Results come in data group order, one per provided group.
// Groups the SOD lists but the caller did not provide are not reported:
// reading DG3/DG4 needs terminal authentication, so their absence is normal.
// Only meaningful after VerifySignature returned nil.
func (s *SOD) CheckDataGroups(dgs map[int][]byte) []Result {
	nums := make([]int, 0, len(dgs))
	for n := range dgs {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	out := make([]Result, 0, len(nums))
	for _, n := range nums {
		want, ok := s.DataGroupHashes[n]
		switch {
		case !ok:
			out = append(out, Result{DataGroup: n, Reason: fmt.Sprintf("%s:DG%d", reasonMissingInSOD, n)})
		case subtle.ConstantTimeCompare(digest(s.DigestAlgorithm, dgs[n]), want) != 1:
			out = append(out, Result{DataGroup: n, Reason: fmt.Sprintf("%s:DG%d", reasonHashMismatch, n)})
		default:
			out = append(out, Result{DataGroup: n, OK: true})
		}
	}
	return out
}
