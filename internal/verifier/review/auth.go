package review

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

// pageError is an error whose title and message are safe to show. Err is
// the internal cause: logged (it names no person), never shown.
type pageError struct {
	status int
	code   string // stable, logged and shown
	title  string
	msg    string
	err    error
}

func (e *pageError) Error() string {
	if e.err != nil {
		return e.code + ": " + e.err.Error()
	}
	return e.code
}

func (e *pageError) Unwrap() error { return e.err }

func (e *pageError) with(err error) *pageError {
	c := *e
	c.err = err
	return &c
}

var (
	errUnauthenticated = &pageError{status: http.StatusUnauthorized, code: "unauthenticated", title: "Sign-in required",
		msg: "This page is served through the Vigil gateway, which identifies you. Open it through the gateway's address."}
	errKeySet = &pageError{status: http.StatusServiceUnavailable, code: "gateway-keys-unavailable", title: "Try again",
		msg: "Your identity could not be checked right now. Try again in a moment."}
	errNotReviewer = &pageError{status: http.StatusForbidden, code: "not-a-reviewer", title: "Reviewers only",
		msg: "You are signed in, but you are not in a reviewer group. Ask an administrator to add you if you should review identity verifications."}
	errCrossOrigin = &pageError{status: http.StatusForbidden, code: "cross-origin", title: "Request refused",
		msg: "The form was sent from another site. Open the review page again and submit it from there."}
	errNotFound = &pageError{status: http.StatusNotFound, code: "not-found", title: "Not found",
		msg: "There is no such page or verification."}
)

// reviewer is the verified person acting; ID is what the audit trail
// records.
type reviewer struct {
	ID     string
	Claims *vigilauth.Claims
}

type reviewerKey struct{}

func reviewerFrom(ctx context.Context) *reviewer {
	r, _ := ctx.Value(reviewerKey{}).(*reviewer)
	return r
}

// authenticate verifies the single assertion header and the reviewer
// groups. A repeated header is refused: which copy the gateway set would be
// ambiguous.
func (h *Handler) authenticate(r *http.Request) (*reviewer, error) {
	vals := r.Header.Values(h.opt.Header)
	if len(vals) != 1 {
		return nil, errUnauthenticated
	}
	c, err := h.opt.Assertions.Verify(r.Context(), vals[0])
	switch {
	case errors.Is(err, vigilauth.ErrKeySet):
		return nil, errKeySet.with(err)
	case err != nil:
		return nil, errUnauthenticated.with(err)
	case c == nil:
		return nil, errUnauthenticated.with(errors.New("verifier returned no claims"))
	}
	member := false
	for _, g := range c.Groups {
		if h.groups[g] {
			member = true
			break
		}
	}
	if !member {
		return nil, errNotReviewer
	}
	id := c.Email
	if id == "" {
		// The gateway's user ID: unique across providers, so still
		// attributable.
		id = "sub:" + c.Subject
	}
	return &reviewer{ID: id, Claims: c}, nil
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// authed runs fn for a reviewer only.
func (h *Handler) authed(fn handlerFunc) http.Handler {
	return h.plain(func(w http.ResponseWriter, r *http.Request) error {
		rv, err := h.authenticate(r)
		if err != nil {
			return err
		}
		return fn(w, r.WithContext(context.WithValue(r.Context(), reviewerKey{}, rv)))
	})
}

// plain adapts fn, rendering its error. Logs carry the route pattern, the
// code and the cause, which never name a person.
func (h *Handler) plain(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		var pe *pageError
		if !errors.As(err, &pe) {
			pe = &pageError{status: http.StatusInternalServerError, code: "internal", title: "Something went wrong",
				msg: "The page could not be shown. Try again in a moment.", err: err}
		}
		level := slog.LevelInfo
		if pe.status >= 500 {
			level = slog.LevelError
		}
		args := []any{"route", r.Pattern, "status", pe.status, "code", pe.code}
		if pe.err != nil {
			args = append(args, "error", pe.err)
		}
		h.opt.Logger.Log(r.Context(), level, "review: request refused", args...)
		h.pages.renderError(w, pe)
	})
}
