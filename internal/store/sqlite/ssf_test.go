package sqlite_test

import (
	"github.com/vigil-gw/vigil/internal/store/sqlite"
	"github.com/vigil-gw/vigil/internal/store/storetest"
)

var _ storetest.SSFBackend = (*sqlite.DB)(nil)
