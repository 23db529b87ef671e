package receiver

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/vigil-gw/vigil/internal/ssf/set"
)

// MaxPushBody bounds a pushed SET.
const MaxPushBody = 64 << 10

// PushHandler returns the RFC 8935 push endpoint. It answers 202 with no
// body when the SET was applied, 400 (401 for authentication_failed) with
// {"err","description"} when the SET is refused, and 500 without detail
// when Vigil failed, so that the transmitter delivers the SET again.
func (r *Receiver) PushHandler() http.Handler {
	return http.HandlerFunc(r.servePush)
}

func (r *Receiver) servePush(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || mt != "application/secevent+jwt" {
		writeSETError(w, &set.Error{Code: set.CodeInvalidRequest, Description: "Content-Type must be application/secevent+jwt"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, MaxPushBody+1))
	if err != nil {
		writeSETError(w, &set.Error{Code: set.CodeInvalidRequest, Description: "could not read the request body"})
		return
	}
	if len(body) > MaxPushBody {
		writeSETError(w, &set.Error{Code: set.CodeInvalidRequest, Description: "SET too large"})
		return
	}
	raw := strings.TrimSpace(string(body))
	// The issuer is read unverified only to choose whose keys and token
	// apply; Parse then checks it against that transmitter.
	iss, err := set.Peek(raw)
	if err != nil {
		writeSETError(w, err)
		return
	}
	tr := r.byIssuer[iss]
	if tr == nil {
		writeSETError(w, &set.Error{Code: set.CodeInvalidIssuer, Description: "unknown issuer"})
		return
	}
	if len(tr.PushToken) > 0 && !bearerMatches(req.Header.Get("Authorization"), tr.PushToken) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ssf"`)
		writeSETError(w, &set.Error{Code: set.CodeAuthenticationFailed, Description: "missing or wrong bearer token"})
		return
	}
	t, err := r.receive(req.Context(), tr, raw)
	switch {
	case err == nil:
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusAccepted)
	case errors.Is(err, errRetry):
		r.log.Error("ssf: push not applied", "transmitter", tr.Name, "err", err)
		http.Error(w, "temporary failure", http.StatusInternalServerError)
	default:
		r.logRefused(tr, t, err)
		writeSETError(w, err)
	}
}

func (r *Receiver) logRefused(tr *Transmitter, t *set.SET, err error) {
	attrs := []any{"transmitter", tr.Name, "err", err}
	if t != nil {
		attrs = append(attrs, "event", t.Event, "jti", t.ID)
	}
	r.log.Warn("ssf: SET refused", attrs...)
}

// bearerMatches compares the Authorization header's bearer token with want
// in constant time. Both sides are hashed first so that the comparison
// does not reveal the token's length either.
func bearerMatches(header string, want []byte) bool {
	scheme, tok, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	exp := sha256.Sum256(want)
	return subtle.ConstantTimeCompare(got[:], exp[:]) == 1
}

// setError is the RFC 8935 section 2.3 error body.
type setError struct {
	Err         string `json:"err"`
	Description string `json:"description,omitempty"`
}

func writeSETError(w http.ResponseWriter, err error) {
	var se *set.Error
	if !errors.As(err, &se) {
		se = &set.Error{Code: set.CodeInvalidRequest, Description: "invalid request"}
	}
	status := http.StatusBadRequest
	if se.Code == set.CodeAuthenticationFailed {
		status = http.StatusUnauthorized
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(setError{Err: se.Code, Description: se.Description})
}
