package liveness

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"io"
	"math/big"
	"time"
)

// Prompt is one instruction shown to the person.
type Prompt string

// The prompts. Directions are the person's own: turning to their left shows
// in an unmirrored camera frame as the nose moving towards the image's
// right edge (detect.Pose.Yaw positive).
const (
	TurnLeft   Prompt = "turn-left"
	TurnRight  Prompt = "turn-right"
	LookUp     Prompt = "look-up"
	MoveCloser Prompt = "move-closer"
)

// AllPrompts are the prompts a challenge draws from.
var AllPrompts = []Prompt{TurnLeft, TurnRight, LookUp, MoveCloser}

// Challenge is what the server issued. It is kept server-side until one
// burst was checked against it.
type Challenge struct {
	Nonce    []byte    `json:"nonce"`
	Prompts  []Prompt  `json:"prompts"`
	IssuedAt time.Time `json:"issued_at"`
	Deadline time.Time `json:"deadline"`
}

// NewChallenge draws a nonce and cfg.Prompts distinct prompts in random
// order from random.
func NewChallenge(random io.Reader, now time.Time, cfg Config) (*Challenge, error) {
	cfg = cfg.withDefaults()
	if cfg.Prompts > len(AllPrompts) {
		return nil, fmt.Errorf("liveness: %d prompts asked, %d exist", cfg.Prompts, len(AllPrompts))
	}
	nonce := make([]byte, 16)
	if _, err := io.ReadFull(random, nonce); err != nil {
		return nil, fmt.Errorf("liveness: nonce: %w", err)
	}
	pool := append([]Prompt(nil), AllPrompts...)
	// Fisher-Yates with unbiased draws: the order must not be predictable.
	for i := len(pool) - 1; i > 0; i-- {
		j, err := randInt(random, i+1)
		if err != nil {
			return nil, err
		}
		pool[i], pool[j] = pool[j], pool[i]
	}
	return &Challenge{Nonce: nonce, Prompts: pool[:cfg.Prompts], IssuedAt: now, Deadline: now.Add(cfg.Lifetime)}, nil
}

func randInt(random io.Reader, n int) (int, error) {
	v, err := rand.Int(random, big.NewInt(int64(n)))
	if err != nil {
		return 0, fmt.Errorf("liveness: random: %w", err)
	}
	return int(v.Int64()), nil
}

// answers reports whether nonce is the challenge's, in constant time.
func (c *Challenge) answers(nonce []byte) bool {
	return len(nonce) == len(c.Nonce) && subtle.ConstantTimeCompare(nonce, c.Nonce) == 1
}
