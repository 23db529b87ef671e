package postgres_test

import (
	"testing"

	"github.com/vigil-gw/vigil/internal/store/postgres"
	"github.com/vigil-gw/vigil/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	parallel(t)
	storetest.Run(t, func(t *testing.T) storetest.Backend {
		db, _ := openFresh(t, postgres.Options{})
		return db
	})
}
