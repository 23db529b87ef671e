package config

import (
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestStringListRoundTrip: one value is written as a scalar, several as a
// list, and both read back the same.
func TestStringListRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		in   StringList
		want string
	}{
		{StringList{"sales"}, "sales\n"},
		{StringList{"a", "b"}, "- a\n- b\n"},
	} {
		b, err := yaml.Marshal(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("Marshal(%q) = %q, want %q", tc.in, b, tc.want)
		}
		var back StringList
		if err := yaml.Unmarshal(b, &back); err != nil || !slices.Equal(back, tc.in) {
			t.Errorf("round trip of %q: %q, %v", tc.in, back, err)
		}
	}
}
