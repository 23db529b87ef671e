package admin_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/admin/admintest"
)

// TestOpenAPIMatchesRoutes keeps docs/openapi.yaml honest: it documents
// exactly the routes the API registers, each with a summary, responses
// and the 401 every route can answer.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	b, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string `yaml:"openapi"`
		Paths   map[string]map[string]struct {
			Summary   string         `yaml:"summary"`
			Responses map[string]any `yaml:"responses"`
		} `yaml:"paths"`
		Components struct {
			SecuritySchemes map[string]struct {
				Scheme string `yaml:"scheme"`
			} `yaml:"securitySchemes"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || doc.Components.SecuritySchemes["bearer"].Scheme != "bearer" {
		t.Errorf("openapi %q, security schemes %v", doc.OpenAPI, doc.Components.SecuritySchemes)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			if op.Summary == "" || len(op.Responses) == 0 || op.Responses["200"] == nil || op.Responses["401"] == nil {
				t.Errorf("%s %s: summary %q, responses %v: want a summary, 200 and 401", method, path, op.Summary, op.Responses)
			}
		}
	}
	api, err := admin.New(admin.Options{Token: []byte(admintest.Token), Service: nopService{}})
	if err != nil {
		t.Fatal(err)
	}
	registered := api.Routes()
	slices.Sort(documented)
	slices.Sort(registered)
	if !slices.Equal(documented, registered) {
		t.Errorf("docs/openapi.yaml documents\n  %s\nthe API registers\n  %s", strings.Join(documented, "\n  "), strings.Join(registered, "\n  "))
	}
}

// nopService is never called: the test only reads the route table.
type nopService struct{ admin.Service }
