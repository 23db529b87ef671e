package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/audit"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/store"
)

var _ admin.ConfigService = (*sharedConfig)(nil)

// ConfigStatus reports the running configuration, the latest stored
// version and the last version that failed here.
func (sc *sharedConfig) ConfigStatus(ctx context.Context) (admin.ConfigStatus, error) {
	run := sc.status()
	out := admin.ConfigStatus{SharedConfig: sc.enabled, Running: admin.ConfigRunning{Source: "file", Since: run.since}}
	if run.doc != nil {
		out.Running = admin.ConfigRunning{Source: "shared", Version: run.version, SHA256: run.sha256, Since: run.since}
	}
	out.LastFailure = sc.lastFailure()
	latest, err := sc.s.db.LatestConfig(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		// The status matters most when something is wrong: answer
		// without the latest version rather than not at all.
		sc.log.Warn("reading the latest shared configuration for /config failed", "err", err)
		out.LatestError = "the store did not answer"
	default:
		out.Latest = &admin.ConfigVersion{Version: latest.Version, SHA256: latest.SHA256, Actor: latest.Actor, CreatedAt: latest.CreatedAt}
	}
	return out, nil
}

// ConfigVersion returns one stored version with its document.
func (sc *sharedConfig) ConfigVersion(ctx context.Context, version int64) (admin.ConfigVersion, error) {
	v, err := sc.s.db.GetConfig(ctx, version)
	if errors.Is(err, store.ErrNotFound) {
		return admin.ConfigVersion{}, fmt.Errorf("%w: no stored version %d (the store keeps the latest %d)", admin.ErrNotFound, version, store.ConfigHistory)
	}
	if err != nil {
		return admin.ConfigVersion{}, err
	}
	return admin.ConfigVersion{Version: v.Version, SHA256: v.SHA256, Actor: v.Actor, CreatedAt: v.CreatedAt, Document: string(v.Document)}, nil
}

// PushConfig checks a document as this replica would run it (merged with
// its file's per-replica sections, validated, policies compiled, request
// state built but not swapped in, and no part changed that needs a
// restart) and stores it as the next version, which every replica with
// shared_config, this one included, then applies. Nothing is stored when
// a check fails. Accepted and refused pushes are audited.
func (sc *sharedConfig) PushConfig(ctx context.Context, p admin.ConfigPush) (admin.ConfigPushed, error) {
	if !sc.enabled {
		return admin.ConfigPushed{}, fmt.Errorf("%w: this replica runs without store.shared_config, so its configuration "+
			"comes from its file alone and a pushed one would reach no replica; turn store.shared_config on (a restart) to push", admin.ErrConflict)
	}
	// One at a time with applies: the document is judged against the
	// configuration that runs when it is stored.
	sc.applyMu.Lock()
	defer sc.applyMu.Unlock()
	doc, problems := sc.check(ctx, p)
	if problems != nil {
		sc.auditPush(p.By, "config-push-refused", problems)
		return admin.ConfigPushed{}, &admin.ConfigRejected{Problems: problems}
	}
	v, err := sc.s.db.PutConfig(ctx, doc.Doc, p.By, sc.s.opts.Clock())
	if err != nil {
		return admin.ConfigPushed{}, err
	}
	sum := sha256.Sum256(doc.Doc)
	out := admin.ConfigPushed{Version: v, SHA256: hex.EncodeToString(sum[:]), Ignored: doc.Ignored}
	reasons := []string{fmt.Sprintf("version %d sha256 %s", v, out.SHA256)}
	if len(doc.Ignored) > 0 {
		reasons = append(reasons, "per-replica sections ignored: "+strings.Join(doc.Ignored, ", "))
	}
	if p.AllowRestart {
		reasons = append(reasons, "allow_restart")
	}
	sc.auditPush(p.By, "config-push", reasons)
	sc.log.Info("shared configuration pushed", "version", v, "sha256", out.SHA256, "by", p.By, "ignored", doc.Ignored)
	// Apply here now; the other replicas hear of it through the feed.
	if err := sc.applyLatestLocked(ctx); err != nil {
		sc.log.Warn("applying the pushed configuration here failed; the change feed will bring it", "err", err)
		sc.poke()
	}
	out.Applied = sc.status().version >= v
	if f := sc.lastFailure(); !out.Applied && f != nil && f.Version == v {
		out.Problems = f.Problems
	}
	return out, nil
}

// check returns the parsed document, or every reason it must not be
// stored.
func (sc *sharedConfig) check(ctx context.Context, p admin.ConfigPush) (*config.Shared, []string) {
	doc, err := config.ParseShared(p.Document)
	if err != nil {
		return nil, config.Problems(err)
	}
	cfg, err := combine(doc, sc.file)
	if err != nil {
		return nil, config.Problems(err)
	}
	if fixed := restartNeeded(sc.s.Config(), cfg); len(fixed) > 0 && !p.AllowRestart {
		return nil, []string{fmt.Sprintf("changes to %s need a restart of every replica: running replicas would keep "+
			"their configuration; to store it anyway and restart the replicas to take it, push with allow_restart "+
			"(vigil config push --allow-restart)", strings.Join(fixed, ", "))}
	}
	// Build what a reload would (providers' discovery included), without
	// swapping it in.
	if _, err := sc.s.buildState(ctx, cfg); err != nil {
		return nil, config.Problems(err)
	}
	return doc, nil
}

func (sc *sharedConfig) auditPush(by, decision string, reasons []string) {
	if len(reasons) > 20 {
		reasons = append(reasons[:20:20], fmt.Sprintf("… and %d more", len(reasons)-20))
	}
	sc.s.audit.Write(&audit.Record{Time: sc.s.opts.Clock(), Kind: "config", Decision: decision, Reasons: reasons, Actor: by})
}
