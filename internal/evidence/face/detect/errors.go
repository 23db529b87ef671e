package detect

import "errors"

// Reason is a stable, machine-readable cause of a failed detection. Reasons
// go into evidence records and metrics; Message gives the text for people.
type Reason string

// The reasons Detect and DecodeLimited return.
const (
	ReasonNone      Reason = "face-none"       // no face found
	ReasonMultiple  Reason = "face-multiple"   // more than one usable face
	ReasonTooSmall  Reason = "face-too-small"  // faces found, all below MinFaceSize
	ReasonTooLarge  Reason = "image-too-large" // byte or pixel limit exceeded
	ReasonMalformed Reason = "image-malformed" // not a decodable JPEG or PNG
)

// messages are shown to the person being verified: plain words, what to do
// next, nothing about the image's content.
var messages = map[Reason]string{
	ReasonNone:      "We could not find a face in the picture. Face the camera in good light, with nothing covering your face, and try again.",
	ReasonMultiple:  "We found more than one face in the picture. Make sure only you are in view and try again.",
	ReasonTooSmall:  "Your face is too small in the picture. Move closer to the camera and try again.",
	ReasonTooLarge:  "The picture is too large. Use a picture under the size limit and try again.",
	ReasonMalformed: "We could not read the picture. Use a JPEG or PNG photo and try again.",
}

// Message returns the user-facing text for the reason.
func (r Reason) Message() string {
	if m, ok := messages[r]; ok {
		return m
	}
	return "We could not check the picture. Please try again."
}

// Error is a failed detection or decode. Detail is for logs: it names limits
// and sizes but never image content; it is not for the user.
type Error struct {
	Reason Reason
	Detail string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return "detect: " + string(e.Reason)
	}
	return "detect: " + string(e.Reason) + ": " + e.Detail
}

// Is makes errors.Is(err, &Error{Reason: r}) match on the reason alone.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Reason == e.Reason && t.Detail == ""
}

// Sentinels to compare with errors.Is.
var (
	ErrNone      = &Error{Reason: ReasonNone}
	ErrMultiple  = &Error{Reason: ReasonMultiple}
	ErrTooSmall  = &Error{Reason: ReasonTooSmall}
	ErrTooLarge  = &Error{Reason: ReasonTooLarge}
	ErrMalformed = &Error{Reason: ReasonMalformed}
)

// ReasonOf returns the reason of a detect error, or "" for other errors.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func fail(r Reason, detail string) error { return &Error{Reason: r, Detail: detail} }
