package risk

import "fmt"

// Level is a user's risk level. The zero value is Low, so a user nobody
// has said anything about is at low risk. Levels are ordered: a policy's
// "highest level allowed" compares with <=.
//
// (Written by the integrator ahead of the engine so that policy and the
// gateway can name levels; the engine builds on it.)
type Level uint8

const (
	Low Level = iota
	Medium
	High
)

func (l Level) String() string {
	switch l {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	}
	return fmt.Sprintf("level(%d)", uint8(l))
}

// ParseLevel reads "low", "medium" or "high".
func ParseLevel(s string) (Level, error) {
	switch s {
	case "low":
		return Low, nil
	case "medium":
		return Medium, nil
	case "high":
		return High, nil
	}
	return Low, fmt.Errorf("risk level %q: want low, medium or high", s)
}
