package ocr

// Error is what ReadMRZ and Available return. Its text is safe to show:
// when User is true it tells the person what to do about their photo;
// otherwise it names what failed on the server without detail. The cause,
// kept for the log through errors.Unwrap, may hold internal detail.
type Error struct {
	Code    string // stable machine-readable code
	Message string // one sentence, no internal detail
	User    bool   // the problem is the image, the user can fix it
	cause   error
}

func (e *Error) Error() string { return e.Message }

// Unwrap gives the internal cause, for logging only.
func (e *Error) Unwrap() error { return e.cause }

// Is matches errors by Code, so errors.Is(err, ErrNoMRZ) holds for an error
// that carries a cause.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func (e *Error) with(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// Errors about the image: show Message to the user.
var (
	ErrTooLarge   = &Error{Code: "image-too-large", User: true, Message: "the image is too large: upload a smaller photo, a phone camera's normal resolution is enough"}
	ErrNotImage   = &Error{Code: "image-not-supported", User: true, Message: "the file is not a PNG or JPEG image"}
	ErrDamaged    = &Error{Code: "image-damaged", User: true, Message: "the image could not be read: it may be damaged or incomplete, upload it again"}
	ErrTooSmall   = &Error{Code: "image-too-small", User: true, Message: "the image is too small to read: photograph the page closer, at full resolution"}
	ErrNoMRZ      = &Error{Code: "mrz-not-found", User: true, Message: "no machine readable zone found: photograph the whole page, flat, in good light"}
	ErrUnreadable = &Error{Code: "mrz-unreadable", User: true, Message: "the machine readable zone could not be read: photograph the page flat, in good light, without glare"}
)

// Errors of the server side: tell the user to try later, log the cause.
var (
	ErrUnavailable = &Error{Code: "ocr-unavailable", Message: "the OCR engine tesseract is not installed or not runnable: install it with `apt-get install -y tesseract-ocr tesseract-ocr-eng`"}
	ErrNoLanguage  = &Error{Code: "ocr-no-language", Message: "the OCR engine tesseract has no English model: install it with `apt-get install -y tesseract-ocr-eng`"}
	ErrEngine      = &Error{Code: "ocr-failed", Message: "the OCR engine failed on this image"}
	ErrTimeout     = &Error{Code: "ocr-timeout", Message: "the OCR engine took too long on this image"}
	ErrBusy        = &Error{Code: "ocr-busy", Message: "the OCR engine is busy: try again in a moment"}
)
