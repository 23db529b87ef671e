package replicas

import (
	"os"
	"testing"

	"github.com/vigil-gw/vigil/internal/testenv/vigilproc"
)

func TestMain(m *testing.M) { os.Exit(vigilproc.Main(m)) }
