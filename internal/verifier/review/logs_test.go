package review

import (
	"bytes"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// lockedBuffer collects log output written from server goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogsHoldNoPersonalData drives every outcome and checks that no
// email, name or document field reaches the log.
func TestLogsHoldNoPersonalData(t *testing.T) {
	var logs lockedBuffer
	e := newEnv(t, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	a := e.seed("v-a", store.VerificationReview, "ada@corp.example", "Anna Maria Eriksson", time.Hour)
	b := e.seed("v-b", store.VerificationReview, "bob@corp.example", "Bob Stone", time.Hour)
	tok := e.reviewerToken()
	e.do("GET", "/", "", nil, nil)
	e.do("GET", "/", e.token("eve@corp.example", "eng"), nil, nil)
	e.do("GET", "/v/"+a.id, tok, nil, nil)
	post(e, a.id, "approve", tok, url.Values{"version": {"1"}, "note": {"Anna looks right"}})
	post(e, a.id, "approve", tok, url.Values{"version": {"1"}})
	post(e, b.id, "reject", tok, url.Values{"version": {"1"}, "reason": {"other"}, "note": {"Bob Stone is someone else"}})
	post(e, b.id, "reject", tok, url.Values{"version": {"1"}})
	out := logs.String()
	if !strings.Contains(out, "review: decided") || !strings.Contains(out, "not-a-reviewer") {
		t.Fatalf("expected log lines missing:\n%s", out)
	}
	for _, secret := range []string{"ada@", "bob@", "eve@", "rita@", "Anna", "ANNA", "ERIKSSON", "Bob Stone", "L898902C3", "1974"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
}
