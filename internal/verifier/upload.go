package verifier

import (
	"bytes"
	"errors"
	"io"
	"net/http"
)

// Upload problems the user can fix.
var (
	errUploadTooLarge = &userError{status: http.StatusRequestEntityTooLarge, title: "Photo too large", msg: "The photo is larger than 10 MB. Take it again at the camera's normal resolution.", reason: "upload-too-large"}
	errUploadType     = &userError{status: http.StatusUnsupportedMediaType, title: "Not a photo", msg: "That file is not a JPEG or PNG image. Choose a photo.", reason: "upload-wrong-type"}
	errUploadMissing  = &userError{status: http.StatusBadRequest, title: "No photo", msg: "No photo was received. Choose a photo and try again.", reason: "upload-missing"}
	errUploadBroken   = &userError{status: http.StatusBadRequest, title: "Upload failed", msg: "The upload could not be read. Try again.", reason: "upload-unreadable"}
)

// Magic numbers: the type is decided by the bytes, not the Content-Type the
// browser claims.
var (
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
	magicPNG  = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}
)

// sniffImage returns "image/jpeg" or "image/png" by magic bytes, or "".
func sniffImage(b []byte) string {
	switch {
	case bytes.HasPrefix(b, magicJPEG):
		return "image/jpeg"
	case bytes.HasPrefix(b, magicPNG):
		return "image/png"
	}
	return ""
}

// IsImage reports whether contentType is one the verifier takes photos as
// (what sniffImage finds): the only evidence any page shows as an image.
func IsImage(contentType string) bool {
	return contentType == "image/jpeg" || contentType == "image/png"
}

// multipartOverhead is room for the form's boundaries and headers.
const multipartOverhead = 64 << 10

// readUpload reads the "image" part of a multipart upload into memory
// (never to disk), at most MaxUpload bytes, and checks its type.
func readUpload(w http.ResponseWriter, r *http.Request) (data []byte, contentType string, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxUpload+multipartOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", errUploadBroken.with(err)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, "", errUploadMissing
		}
		if err != nil {
			return nil, "", uploadErr(err)
		}
		if part.FormName() != "image" {
			continue // NextPart skips the rest of this part
		}
		data, err := io.ReadAll(io.LimitReader(part, MaxUpload+1))
		if err != nil {
			return nil, "", uploadErr(err)
		}
		switch {
		case len(data) > MaxUpload:
			return nil, "", errUploadTooLarge
		case len(data) == 0:
			return nil, "", errUploadMissing
		}
		ct := sniffImage(data)
		if ct == "" {
			return nil, "", errUploadType
		}
		return data, ct, nil
	}
}

func uploadErr(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return errUploadTooLarge.with(err)
	}
	return errUploadBroken.with(err)
}
