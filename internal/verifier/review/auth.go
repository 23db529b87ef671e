package review

import (
	"context"
	"errors"
	"net/http"

	"github.com/vigil-gw/vigil/internal/httperr"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

var (
	errUnauthenticated = &httperr.Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Title: "Sign-in required",
		Public: "This page is served through the Vigil gateway, which identifies you. Open it through the gateway's address."}
	errKeySet = &httperr.Error{Status: http.StatusServiceUnavailable, Code: "gateway-keys-unavailable", Title: "Try again",
		Public: "Your identity could not be checked right now. Try again in a moment."}
	errNotReviewer = &httperr.Error{Status: http.StatusForbidden, Code: "not-a-reviewer", Title: "Reviewers only",
		Public: "You are signed in, but you are not in a reviewer group. Ask an administrator to add you if you should review identity verifications."}
	errCrossOrigin = &httperr.Error{Status: http.StatusForbidden, Code: "cross-origin", Title: "Request refused",
		Public: "The form was sent from another site. Open the review page again and submit it from there."}
	errNotFound = &httperr.Error{Status: http.StatusNotFound, Code: "not-found", Title: "Not found",
		Public: "There is no such page or verification."}
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
		return nil, errKeySet.With(err)
	case err != nil:
		return nil, errUnauthenticated.With(err)
	case c == nil:
		return nil, errUnauthenticated.With(errors.New("verifier returned no claims"))
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
		pe := httperr.Page(err)
		httperr.LogPage(h.opt.Logger, r, "review: request refused", pe)
		h.pages.renderError(w, pe)
	})
}
