package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ChangeConfig announces a new shared configuration version. Key: the
// version number in decimal. Replicas with store.shared_config load the
// latest version (not necessarily this one) and apply it.
const ChangeConfig = "config-changed"

// ConfigHistory is how many shared configuration versions a store keeps:
// PutConfig deletes older ones in its transaction. The audit log keeps who
// pushed what (with the document's SHA-256) for ever; the table only needs
// recent versions to compare and roll back by hand, and documents of up
// to MaxConfigDocument bytes should not pile up without bound.
const ConfigHistory = 50

// MaxConfigDocument bounds a stored shared configuration document.
const MaxConfigDocument = 1 << 20

// ConfigVersion is one version of the configuration replicas share
// (config.Shared): the document as stored, without per-replica sections.
type ConfigVersion struct {
	Version   int64  // 1, 2, 3... in commit order, without gaps
	Document  []byte // YAML text
	SHA256    string // hex SHA-256 of Document, computed by the store
	Actor     string // who pushed it, e.g. admin:jane
	CreatedAt time.Time
}

// ConfigStore keeps the shared configuration's versions.
//
// PutConfig stores doc as the next version, appends a ChangeConfig with
// the version as key in the same transaction (so that no replica can miss
// a version that committed), keeps only the latest ConfigHistory versions,
// and returns the new version. Concurrent calls are serialised: versions
// follow commit order. LatestConfig returns the highest version, or
// ErrNotFound when none was ever stored. GetConfig returns one version,
// ErrNotFound when it was never stored or is past the history.
type ConfigStore interface {
	PutConfig(ctx context.Context, doc []byte, actor string, at time.Time) (int64, error)
	LatestConfig(ctx context.Context) (*ConfigVersion, error)
	GetConfig(ctx context.Context, version int64) (*ConfigVersion, error)
}

// CheckConfig refuses what no backend stores: an empty or oversized
// document, one that is not UTF-8 text or holds a NUL (PostgreSQL's text
// refuses those, so SQLite must too), and a missing actor or time.
func CheckConfig(doc []byte, actor string, at time.Time) error {
	switch {
	case len(doc) == 0:
		return errors.New("config document is empty")
	case len(doc) > MaxConfigDocument:
		return fmt.Errorf("config document is larger than %d bytes", MaxConfigDocument)
	case !utf8.Valid(doc):
		return errors.New("config document is not UTF-8 text")
	case actor == "" || len(actor) > 200 || !utf8.ValidString(actor):
		return errors.New("config version needs an actor of at most 200 bytes")
	case at.IsZero():
		return errors.New("config version needs a time")
	case bytes.IndexByte(doc, 0) >= 0:
		return errors.New("config document holds a NUL byte")
	case strings.IndexByte(actor, 0) >= 0:
		return errors.New("config version actor holds a NUL byte")
	}
	return nil
}
