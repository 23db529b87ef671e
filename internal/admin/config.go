package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/httperr"
)

// The shared configuration (docs/shared-config.md): read where this
// replica's configuration comes from, push a new version for every replica.

// ConfigStatus is where this replica's configuration comes from and what
// the store holds.
type ConfigStatus struct {
	// SharedConfig is this replica's store.shared_config.
	SharedConfig bool          `json:"shared_config"`
	Running      ConfigRunning `json:"running"`
	// Latest is the newest stored version; nil when none was pushed.
	Latest *ConfigVersion `json:"latest,omitempty"`
	// LatestError says why Latest could not be read.
	LatestError string `json:"latest_error,omitempty"`
	// LastFailure is the last version this replica failed to apply since
	// it started, when it still runs an older one.
	LastFailure *ConfigFailure `json:"last_failure,omitempty"`
}

// ConfigRunning is the configuration this replica serves with.
type ConfigRunning struct {
	Source  string    `json:"source"`            // "file" or "shared"
	Version int64     `json:"version,omitempty"` // the shared version; 0 from the file
	SHA256  string    `json:"sha256,omitempty"`  // of the shared document
	Since   time.Time `json:"since"`
}

// ConfigVersion is one stored version; Document only when one version is
// asked for.
type ConfigVersion struct {
	Version   int64     `json:"version"`
	SHA256    string    `json:"sha256"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"created_at"`
	Document  string    `json:"document,omitempty"`
}

// ConfigFailure is a version this replica could not apply, and why.
type ConfigFailure struct {
	Version  int64     `json:"version"`
	At       time.Time `json:"at"`
	Problems []string  `json:"problems"`
}

// ConfigPush is a document to store as the next shared version.
type ConfigPush struct {
	Document []byte
	By       string
	// AllowRestart stores a version that changes parts a running replica
	// cannot change (risk detectors, idv): replicas keep their running
	// configuration, report the failure, and take it when restarted.
	AllowRestart bool
}

// ConfigPushed is the answer to a push.
type ConfigPushed struct {
	Version int64  `json:"version"`
	SHA256  string `json:"sha256"`
	// Ignored names the per-replica sections the document had; they were
	// not stored (each replica keeps its own).
	Ignored []string `json:"ignored"`
	// Applied: this replica runs the new version. Others apply it as they
	// read the change feed.
	Applied bool `json:"applied"`
	// Problems say why this replica did not apply it (AllowRestart).
	Problems []string `json:"problems,omitempty"`
}

// ConfigService reads and pushes the shared configuration.
type ConfigService interface {
	ConfigStatus(ctx context.Context) (ConfigStatus, error)
	// PushConfig checks the document as this replica would run it and
	// stores it; *ConfigRejected when it does not apply, ErrConflict when
	// this replica does not use a shared configuration.
	PushConfig(ctx context.Context, p ConfigPush) (ConfigPushed, error)
	// ConfigVersion returns a stored version with its document.
	ConfigVersion(ctx context.Context, version int64) (ConfigVersion, error)
}

// ConfigRejected means a pushed document was not stored; Problems lists
// every reason, each with its path where it has one.
type ConfigRejected struct {
	Problems []string
}

func (e *ConfigRejected) Error() string {
	return fmt.Sprintf("configuration refused: %s", strings.Join(e.Problems, "; "))
}

// maxConfigBody bounds a pushed document (the store keeps up to 1 MiB).
const maxConfigBody = 1 << 20

// Bounds on what a refusal lists: enough for any honest document.
const (
	maxProblems      = 100
	maxProblemLength = 500
)

// cfgSvc is the configuration service, or why there is none.
func (a *API) cfgSvc() (ConfigService, error) {
	if a.cfg == nil {
		return nil, fmt.Errorf("%w: this process does not serve the configuration API", ErrNotFound)
	}
	return a.cfg, nil
}

func (a *API) configStatus(_ http.ResponseWriter, r *http.Request) (any, error) {
	cs, err := a.cfgSvc()
	if err != nil {
		return nil, err
	}
	return cs.ConfigStatus(r.Context())
}

func (a *API) configVersion(_ http.ResponseWriter, r *http.Request) (any, error) {
	cs, err := a.cfgSvc()
	if err != nil {
		return nil, err
	}
	v, err := strconv.ParseInt(r.PathValue("version"), 10, 64)
	if err != nil || v < 1 {
		return nil, fmt.Errorf("%w: a version is a positive number", ErrInvalid)
	}
	return cs.ConfigVersion(r.Context(), v)
}

func (a *API) pushConfig(_ http.ResponseWriter, r *http.Request) (any, error) {
	cs, err := a.cfgSvc()
	if err != nil {
		return nil, err
	}
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	switch strings.TrimSpace(strings.ToLower(ct)) {
	case "", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
	default:
		return nil, fmt.Errorf("%w: send the YAML document as application/yaml", ErrInvalid)
	}
	allow := false
	if v := r.URL.Query().Get("allow_restart"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("%w: allow_restart is true or false", ErrInvalid)
		}
		allow = b
	}
	doc, err := io.ReadAll(io.LimitReader(r.Body, maxConfigBody+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading the body: %v", ErrInvalid, err)
	}
	if len(doc) > maxConfigBody {
		return nil, httperr.New(http.StatusRequestEntityTooLarge, "too-large",
			fmt.Sprintf("The document is larger than %d bytes.", maxConfigBody), nil)
	}
	out, err := cs.PushConfig(r.Context(), ConfigPush{Document: doc, By: actor(r), AllowRestart: allow})
	if err != nil {
		return nil, err
	}
	if out.Ignored == nil {
		out.Ignored = []string{}
	}
	return out, nil
}

// rejected is the 422 for a document that was not stored, listing every
// problem (bounded).
func rejected(e *ConfigRejected) error {
	ps := e.Problems
	if len(ps) > maxProblems {
		ps = append(ps[:maxProblems:maxProblems], fmt.Sprintf("… and %d more", len(e.Problems)-maxProblems))
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		if len(p) > maxProblemLength {
			p = strings.ToValidUTF8(p[:maxProblemLength], "") + "…"
		}
		out[i] = p
	}
	he := httperr.New(http.StatusUnprocessableEntity, "invalid-config",
		fmt.Sprintf("The configuration was not stored: %d problem(s).", len(e.Problems)), nil)
	he.Reasons = out
	return he
}

// asRejected finds a *ConfigRejected in err.
func asRejected(err error) (*ConfigRejected, bool) {
	var e *ConfigRejected
	return e, errors.As(err, &e)
}
