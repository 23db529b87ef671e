package vigilproc

import (
	"fmt"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/vigil-gw/vigil/internal/config"
)

// writeConfig writes cfg as the gateway's YAML configuration file (0600:
// it holds secrets), with the gateway's own listen address and public URL.
// The file is checked as `vigil serve` will read it, so that a bad
// configuration fails here with every problem listed rather than as a
// process that exits.
func (g *Gateway) writeConfig(cfg *config.Config) error {
	c := *cfg // Server and Log are values: setting them leaves cfg alone
	c.Server.Listen = g.addr
	c.Server.PublicURL = g.URL
	if c.Log.Audit == "" {
		c.Log.Audit = g.auditPath()
	}
	b, err := yaml.Marshal(&c)
	if err != nil {
		return fmt.Errorf("encoding the configuration: %w", err)
	}
	parsed, err := config.Parse(b)
	if err != nil {
		return fmt.Errorf("the configuration does not load:\n%w", err)
	}
	g.grace = parsed.Server.ShutdownTimeout.D() + stopMargin
	if err := os.WriteFile(g.configPath(), b, 0o600); err != nil {
		return fmt.Errorf("writing the configuration: %w", err)
	}
	return nil
}
