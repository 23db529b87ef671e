package verifier

import "github.com/vigil-gw/vigil/internal/store/sqlite"

var _ Store = (*sqlite.DB)(nil)
