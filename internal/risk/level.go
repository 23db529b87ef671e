package risk

import (
	"fmt"
	"strings"
)

// Level is a user's risk level. The zero value is Low, so a user nobody
// has said anything about is at low risk. Levels are ordered: a policy's
// "highest level allowed" compares with <=.
type Level uint8

// Levels, in increasing order of risk.
const (
	Low Level = iota
	Medium
	High
)

var levelNames = [...]string{Low: "low", Medium: "medium", High: "high"}

func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("level(%d)", uint8(l))
}

// ParseLevel reads "low", "medium" or "high", in any case (Shared Signals
// spells them in capitals).
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if strings.EqualFold(s, n) {
			return Level(i), nil
		}
	}
	return Low, fmt.Errorf("risk: unknown level %q (want low, medium or high)", s)
}

// MarshalText writes the level's name.
func (l Level) MarshalText() ([]byte, error) {
	if int(l) >= len(levelNames) {
		return nil, fmt.Errorf("risk: invalid level %d", uint8(l))
	}
	return []byte(levelNames[l]), nil
}

// UnmarshalText reads a level as ParseLevel does.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}
