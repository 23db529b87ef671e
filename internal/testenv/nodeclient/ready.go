package nodeclient

import (
	"fmt"
	"net/url"
	"strings"
)

// parseReady checks the READY line: the base URL must be plain http on
// 127.0.0.1 at the port the script was given, with no path.
func parseReady(line string, port int) (string, error) {
	rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "READY ")
	if !ok {
		return "", fmt.Errorf("unexpected first line from relying party: %q", line)
	}
	u, err := url.Parse(rest)
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() != fmt.Sprint(port) ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.Opaque != "" {
		return "", fmt.Errorf("relying party announced a bad URL %q", rest)
	}
	return "http://" + u.Host, nil
}
