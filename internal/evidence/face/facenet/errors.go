package facenet

import "fmt"

// Reason is a stable, machine-readable cause of an error from this package.
// Callers branch on it; the wording of Error() may change.
type Reason string

const (
	// ReasonManifest: the weights manifest is not a well-formed TensorFlow.js
	// manifest within this package's limits.
	ReasonManifest Reason = "manifest-invalid"
	// ReasonWeightsFile: a weight file named by the manifest is missing,
	// unreadable, or not exactly as long as the manifest says.
	ReasonWeightsFile Reason = "weights-file"
	// ReasonWeightsDtype: a tensor uses a dtype or quantisation this port does
	// not decode (only float32, raw or uint8/uint16-quantised).
	ReasonWeightsDtype Reason = "weights-dtype"
	// ReasonWeightsValue: a decoded weight is NaN or infinite.
	ReasonWeightsValue Reason = "weights-value"
	// ReasonWeightsMissing: a tensor the network needs is absent.
	ReasonWeightsMissing Reason = "weights-missing"
	// ReasonWeightsUnexpected: the manifest holds a tensor the network does
	// not use; refused so that a different model is never run by mistake.
	ReasonWeightsUnexpected Reason = "weights-unexpected"
	// ReasonWeightsShape: a tensor has a shape other than the network's.
	ReasonWeightsShape Reason = "weights-shape"
	// ReasonChip: the input is not a usable 150x150 chip.
	ReasonChip Reason = "chip-invalid"
)

// Error is every error this package returns. Detail names tensors, files and
// sizes only: never image content.
type Error struct {
	Reason Reason
	Detail string
}

func (e *Error) Error() string { return "facenet: " + string(e.Reason) + ": " + e.Detail }

func errorf(r Reason, format string, args ...any) error {
	return &Error{Reason: r, Detail: fmt.Sprintf(format, args...)}
}
