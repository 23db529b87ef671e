package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/policy"
	"github.com/vigil-gw/vigil/internal/server"
)

func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usageError{err}
	}
	return nil
}

// loadChecked loads a file and compiles its policies: everything serve
// would reject, reported at once.
func loadChecked(path string) (*config.Config, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s:\n%w", path, err)}
	}
	if _, err := server.CompileApps(cfg); err != nil {
		return nil, usageError{fmt.Errorf("%s:\n%w", path, err)}
	}
	return cfg, nil
}

// configCheck is `vigil config check FILE` (the other config commands
// are in configshared.go).
func configCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("config check", "vigil config check FILE", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{errors.New("config check takes one file")}
	}
	cfg, err := loadChecked(fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok (%d providers, %d apps)\n", fs.Arg(0), len(cfg.Providers), len(cfg.Apps))
	return nil
}

// identityFile is the --identity JSON: an identity plus the client address.
type identityFile struct {
	identity.Identity
	IP string `json:"ip"`
}

// policyTest is `vigil policy test`: the policy of a local file, offline
// (policy explain, in policyexplain.go, asks the running gateway).
func policyTest(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("policy test", "vigil policy test --config FILE --app NAME --identity FILE [--ip ADDR]", stderr)
	cfgPath := fs.String("config", "vigil.yaml", "configuration file")
	app := fs.String("app", "", "app whose policy to evaluate (required)")
	idPath := fs.String("identity", "", `JSON file with the identity, e.g. {"sub":"u1","provider":"corp","email":"a@example.com","groups":["eng"],"ip":"10.1.2.3"}; omit to test an anonymous request`)
	ipFlag := fs.String("ip", "", "client IP address (overrides the identity file's ip)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *app == "" {
		fs.Usage()
		return usageError{errors.New("--app is required")}
	}
	cfg, err := loadChecked(*cfgPath)
	if err != nil {
		return err
	}
	var rules []config.Rule
	found := false
	for _, a := range cfg.Apps {
		if a.Name == *app {
			rules, found = a.Policies, true
		}
	}
	if !found {
		return usageError{fmt.Errorf("no app named %q in %s", *app, *cfgPath)}
	}
	pol, err := policy.Compile(rules, "policies")
	if err != nil {
		return err
	}
	in := policy.Input{Now: time.Now()}
	var idf identityFile
	if *idPath != "" {
		b, err := os.ReadFile(*idPath)
		if err != nil {
			return usageError{err}
		}
		if err := json.Unmarshal(b, &idf); err != nil {
			return usageError{fmt.Errorf("%s: %v", *idPath, err)}
		}
		in.Identity = &idf.Identity
	}
	ip := idf.IP
	if *ipFlag != "" {
		ip = *ipFlag
	}
	if ip != "" {
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return usageError{fmt.Errorf("ip %q is not an IP address", ip)}
		}
		in.IP = a.Unmap()
	}
	d := pol.Evaluate(&in)
	fmt.Fprint(stdout, d.Explain())
	if !in.IP.IsValid() {
		for _, r := range d.Reasons() {
			if r.Code == policy.ReasonNoClientIP {
				fmt.Fprintln(stdout, "hint: this policy looks at the client address: pass --ip")
			}
		}
	}
	if !d.Allowed() {
		return errDenied
	}
	return nil
}

// errDenied makes `policy test` and `policy explain` exit 1 on a deny,
// for scripts.
var errDenied = errors.New("decision: deny")
