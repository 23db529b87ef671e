package config

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The shared configuration (store.shared_config): one document in the
// database gives every replica its providers, verifiers, idv, risk and
// apps; each replica keeps its own server, session, store, assertion, log,
// admin and ssf from its file. A replica runs the merge of both, checked
// as a whole by Validate.

// LocalSections are the top-level sections a replica always takes from
// its own file, whatever a shared document says: where it listens, its
// secrets, its database, its logs and the tokens that guard it.
var LocalSections = []string{"server", "session", "store", "assertion", "log", "admin", "ssf"}

// SharedSections are the top-level sections a shared document supplies.
var SharedSections = []string{"providers", "verifiers", "idv", "risk", "apps"}

// MaxSharedSize bounds a shared document as pushed.
const MaxSharedSize = 1 << 20

// Shared is a shared configuration document, checked for form but not
// yet merged with a replica's own sections.
type Shared struct {
	// Doc is what is stored: the document as given without its
	// per-replica sections (comments kept), so that the database never
	// holds a replica's secrets or addresses.
	Doc []byte
	// Ignored names the per-replica sections the input had, in its order.
	Ignored []string
}

// ParseShared reads a shared document strictly: one YAML document whose
// top level is a mapping of sections, with no unknown key anywhere (the
// per-replica sections included, although they are then dropped). The
// error lists every problem the decoder found.
func ParseShared(b []byte) (*Shared, error) {
	if len(b) > MaxSharedSize {
		return nil, fmt.Errorf("config: the document is larger than %d bytes", MaxSharedSize)
	}
	if _, err := decode(b); err != nil {
		return nil, err
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("config: %s", cleanYAMLError(err))
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("config: the document must be a mapping of sections (providers:, apps:, ...)")
	}
	top := root.Content[0]
	sh := &Shared{}
	var kept []*yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		if k := top.Content[i].Value; slices.Contains(LocalSections, k) {
			sh.Ignored = append(sh.Ignored, k)
			continue
		}
		kept = append(kept, top.Content[i], top.Content[i+1])
	}
	if len(sh.Ignored) == 0 {
		sh.Doc = b // stored as written
	} else {
		top.Content = kept
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(&root); err != nil {
			return nil, fmt.Errorf("config: %s", cleanYAMLError(err))
		}
		if err := enc.Close(); err != nil {
			return nil, fmt.Errorf("config: %s", cleanYAMLError(err))
		}
		sh.Doc = buf.Bytes()
		// What is stored must read back (an alias into a dropped
		// section would not).
		if _, err := decode(sh.Doc); err != nil {
			return nil, fmt.Errorf("%w (after dropping the per-replica sections %s)", err, strings.Join(sh.Ignored, ", "))
		}
	}
	return sh, nil
}

// Combine returns the configuration a replica runs: local's per-replica
// sections with the document's shared ones, defaults filled. It fails only
// when the document does not decode: the caller validates the result as a
// whole (Validate, and compiling the policies, reporting both at once)
// and must never run it unvalidated. The document is decoded again for
// every call, so that combined configurations never share memory.
func (s *Shared) Combine(local *Config) (*Config, error) {
	shared, err := decode(s.Doc)
	if err != nil {
		return nil, err
	}
	c := *local
	c.Providers, c.Verifiers, c.IDV, c.Risk, c.Apps = shared.Providers, shared.Verifiers, shared.IDV, shared.Risk, shared.Apps
	return &c, nil
}

// Problems lists the problems an error from this package (or from
// compiling policies) reports, one per entry: joined errors apart, and a
// decoder's several lines apart.
func Problems(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		for _, line := range strings.Split(e.Error(), "\n") {
			// The decoder's heading says nothing the lines under it do not.
			if line = strings.TrimSpace(line); line != "" && !strings.HasSuffix(line, "unmarshal errors:") {
				out = append(out, line)
			}
		}
	}
	walk(err)
	return out
}
