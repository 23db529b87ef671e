package demoidp

import (
	"crypto/subtle"
	"errors"
	"time"
)

// maxAttempts is how many passwords one auth request may try; after that the
// request is dropped and the user must start again at the application.
const maxAttempts = 5

var (
	errOtherBrowser     = errors.New("auth request is bound to another browser")
	errTooManyAttempts  = errors.New("too many sign-in attempts")
	errAlreadySignedIn  = errors.New("auth request already completed")
	errBrowserMissing   = errors.New("browser binding cookie missing")
	errAttemptNotActive = errors.New("no login attempt in progress")
)

// loginStore is what the login UI (login.go) needs from the OP storage, so
// the UI never touches the storage's maps and either side can be replaced.
type loginStore interface {
	// loginClient returns the client of a live, unfinished request and binds
	// the request to browser on first sight.
	loginClient(id, browser string) (clientID string, err error)
	// beginAttempt counts a password attempt for a request bound to browser
	// and returns its client and how many attempts remain after this one.
	beginAttempt(id, browser string) (clientID string, left int, err error)
	// completeLogin marks the request authenticated as subject.
	completeLogin(id, subject string, at time.Time) error
	// abandon drops the request.
	abandon(id string)
	// checkBrowser reports whether the request is bound to browser.
	checkBrowser(id, browser string) error
}

var _ loginStore = (*memStorage)(nil)

func sameBrowser(bound, presented string) bool {
	return bound != "" && subtle.ConstantTimeCompare([]byte(bound), []byte(presented)) == 1
}

func (s *memStorage) loginClient(id, browser string) (string, error) {
	if browser == "" {
		return "", errBrowserMissing
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.liveLocked(id)
	switch {
	case !ok:
		return "", errUnknownRequest
	case p.view.done:
		return "", errAlreadySignedIn
	case p.browser == "":
		p.browser = browser
	case !sameBrowser(p.browser, browser):
		return "", errOtherBrowser
	}
	return p.view.clientID, nil
}

func (s *memStorage) beginAttempt(id, browser string) (string, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.liveLocked(id)
	switch {
	case !ok:
		return "", 0, errUnknownRequest
	case p.view.done:
		return "", 0, errAlreadySignedIn
	case !sameBrowser(p.browser, browser):
		return "", 0, errOtherBrowser
	case p.attempts >= maxAttempts:
		s.deleteLocked(id)
		return "", 0, errTooManyAttempts
	}
	p.attempts++
	return p.view.clientID, maxAttempts - p.attempts, nil
}

func (s *memStorage) completeLogin(id, subject string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.liveLocked(id)
	switch {
	case !ok:
		return errUnknownRequest
	case p.view.done:
		return errAlreadySignedIn
	case p.attempts == 0:
		return errAttemptNotActive
	}
	p.view.subject, p.view.authTime, p.view.done = subject, at, true
	return nil
}

func (s *memStorage) abandon(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteLocked(id)
}

func (s *memStorage) checkBrowser(id, browser string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.liveLocked(id)
	switch {
	case !ok:
		return errUnknownRequest
	case !sameBrowser(p.browser, browser):
		return errOtherBrowser
	}
	return nil
}
