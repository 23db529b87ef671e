//go:build !unix

package pgtest

import "os/exec"

// runAs is never needed here: only Unix has a root that initdb refuses
// (os.Geteuid is -1 elsewhere).
func runAs(*exec.Cmd, *owner) {}
