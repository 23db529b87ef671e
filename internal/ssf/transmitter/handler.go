package transmitter

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/vigil-gw/vigil/internal/store"
)

// apiError is an error with the status and text a receiver may see; Err
// goes only to the log.
type apiError struct {
	Status      int
	Code        string
	Description string
	Err         error
}

func (e *apiError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Description, e.Err)
	}
	return e.Code + ": " + e.Description
}

func (e *apiError) Unwrap() error { return e.Err }

func badRequest(desc string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "invalid_request", Description: desc}
}

var (
	errUnauthorized = &apiError{Status: http.StatusUnauthorized, Code: "invalid_token",
		Description: "a valid bearer token is required"}
	errNoStream = &apiError{Status: http.StatusNotFound, Code: "not_found",
		Description: "no stream with this stream_id for this receiver"}
	errMethod = &apiError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
		Description: "method not allowed on this endpoint"}
)

// authedHandler serves one management endpoint for an authenticated receiver.
type authedHandler func(w http.ResponseWriter, r *http.Request, rcv *receiver) error

// Handler serves the discovery document at /.well-known/ssf-configuration
// (with the issuer's path appended, as SSF says) and, under the issuer's
// path and BasePath: stream, status, subjects:add, subjects:remove, verify,
// poll/{stream_id} and jwks.json.
func (t *Transmitter) Handler() http.Handler {
	mux := http.NewServeMux()
	pre := t.pathPre + t.base
	mux.HandleFunc("/.well-known/ssf-configuration"+t.pathPre, t.serve(t.discovery))
	mux.HandleFunc(pre+"/jwks.json", t.serve(t.keys))
	for path, h := range map[string]authedHandler{
		"/stream":           t.handleStream,
		"/status":           t.handleStatus,
		"/subjects:add":     t.handleAddSubject,
		"/subjects:remove":  t.handleRemoveSubject,
		"/verify":           t.handleVerify,
		"/poll/{stream_id}": t.handlePoll,
	} {
		mux.HandleFunc(pre+path, t.serve(t.authed(h)))
	}
	mux.HandleFunc(pre+"/", t.serve(func(http.ResponseWriter, *http.Request) error {
		return &apiError{Status: http.StatusNotFound, Code: "not_found", Description: "no such endpoint"}
	}))
	return mux
}

// endpoint returns the public URL of a management endpoint.
func (t *Transmitter) endpoint(path string) string { return t.issuer + t.base + path }

func (t *Transmitter) discovery(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return errMethod
	}
	def := "NONE"
	if t.allSubs {
		def = "ALL"
	}
	doc := map[string]any{
		"spec_version":               "1_0",
		"issuer":                     t.issuer,
		"jwks_uri":                   t.endpoint("/jwks.json"),
		"delivery_methods_supported": []string{MethodPush, MethodPoll},
		"configuration_endpoint":     t.endpoint("/stream"),
		"status_endpoint":            t.endpoint("/status"),
		"add_subject_endpoint":       t.endpoint("/subjects:add"),
		"remove_subject_endpoint":    t.endpoint("/subjects:remove"),
		"verification_endpoint":      t.endpoint("/verify"),
		"authorization_schemes":      []map[string]string{{"spec_urn": "urn:ietf:rfc:6750"}},
		"default_subjects":           def,
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	return writeJSON(w, http.StatusOK, doc)
}

func (t *Transmitter) keys(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return errMethod
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	return writeJSON(w, http.StatusOK, t.jwks)
}

// serve adapts a handler that returns errors: an *apiError is shown as
// {"err", "description"}, anything else is a 500 with no detail.
func (t *Transmitter) serve(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var e *apiError
		if !errors.As(err, &e) {
			t.log.ErrorContext(r.Context(), "ssf transmitter: request failed", "path", r.URL.Path, "err", err)
			e = &apiError{Status: http.StatusInternalServerError, Code: "internal_error",
				Description: "the request could not be completed; try again later"}
		} else if e.Err != nil {
			t.log.WarnContext(r.Context(), "ssf transmitter: request refused", "path", r.URL.Path,
				"status", e.Status, "err", e.Err)
		}
		if e.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		}
		_ = writeJSON(w, e.Status, map[string]string{"err": e.Code, "description": e.Description})
	}
}

func (t *Transmitter) authed(h authedHandler) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		rcv := t.authenticate(r)
		if rcv == nil {
			return errUnauthorized
		}
		return h(w, r, rcv)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("transmitter: encode response: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}

// noContent answers an empty success.
func noContent(w http.ResponseWriter, status int) error {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return nil
}

// readBody reads a bounded request body.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &apiError{Status: http.StatusRequestEntityTooLarge, Code: "invalid_request",
				Description: "request body too large"}
		}
		return nil, badRequest("could not read the request body")
	}
	return b, nil
}

// decodeJSON reads a small JSON request into v.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	b, err := readBody(w, r)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return badRequest("request body is not the expected JSON object")
	}
	return nil
}

// loadStream returns the receiver's stream id: a missing stream and
// another receiver's stream are the same 404, so IDs cannot be probed.
func (t *Transmitter) loadStream(r *http.Request, rcv *receiver, id string) (*store.Stream, storedConfig, error) {
	if id == "" {
		return nil, storedConfig{}, badRequest("stream_id is required")
	}
	s, err := t.store.GetStream(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && s.Audience != rcv.Audience) {
		return nil, storedConfig{}, errNoStream
	}
	if err != nil {
		return nil, storedConfig{}, err
	}
	c, err := decodeStored(s.Config)
	if err != nil {
		return nil, storedConfig{}, err
	}
	return s, c, nil
}
