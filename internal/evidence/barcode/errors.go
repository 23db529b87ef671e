package barcode

import "errors"

// Kinds of error, for errors.Is. Every error from this package is an *Error wrapping one of them.
var (
	// ErrToolMissing: the decoder program is not installed. Its message says what to install.
	ErrToolMissing = errors.New("install zxing-cpp-tools (Debian) — ZXingReader not found")
	ErrTooLarge    = errors.New("image too large")
	ErrImageFormat = errors.New("not a PNG or JPEG image")
	ErrNotFound    = errors.New("no PDF417 barcode found")
	ErrMultiple    = errors.New("more than one PDF417 barcode in the image")
	ErrDecoder     = errors.New("barcode decoder failed")
	ErrOutput      = errors.New("unexpected decoder output")
)

// Error is a decoding failure. Reason is stable and machine-readable (e.g. "barcode-not-found");
// Detail is user-safe: it never holds decoded content, which is personal data.
type Error struct {
	Reason string
	Kind   error
	Detail string
}

func (e *Error) Error() string {
	s := "barcode: " + e.Kind.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap lets errors.Is match the kind.
func (e *Error) Unwrap() error { return e.Kind }

// reasons maps each kind to its stable reason code.
var reasons = map[error]string{
	ErrToolMissing: "barcode-decoder-missing",
	ErrTooLarge:    "barcode-image-too-large",
	ErrImageFormat: "barcode-image-format",
	ErrNotFound:    "barcode-not-found",
	ErrMultiple:    "barcode-multiple",
	ErrDecoder:     "barcode-decoder-failed",
	ErrOutput:      "barcode-decoder-output",
}

func errf(kind error, detail string) *Error {
	return &Error{Reason: reasons[kind], Kind: kind, Detail: detail}
}
