package aamva

import (
	"testing"

	"github.com/vigil-gw/vigil/internal/ida"
)

// The check methods must be registered values, and never the cryptographic one.
func TestCheckMethods(t *testing.T) {
	for _, m := range []string{CheckMethod, CheckMethodInPerson} {
		if !ida.KnownCheckMethod(m) || m == ida.CheckVCrypt {
			t.Errorf("check method %q", m)
		}
	}
	if CheckMethod != ida.CheckVRI || CheckMethodInPerson != ida.CheckVPIP {
		t.Errorf("CheckMethod %q, CheckMethodInPerson %q", CheckMethod, CheckMethodInPerson)
	}
}
