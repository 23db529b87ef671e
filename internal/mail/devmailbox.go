package mail

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
)

// DevMailbox "sends" mail by writing it to w, clearly marked. It exists
// for `vigil quickstart` and local trials, where there is no SMTP relay:
// whoever reads w can complete any email step, so it must never be used
// where the log is shared.
type DevMailbox struct {
	mu sync.Mutex
	w  io.Writer
}

// NewDevMailbox writes messages to w.
func NewDevMailbox(w io.Writer) *DevMailbox { return &DevMailbox{w: w} }

// Send validates m like the SMTP sender does, then writes it.
func (d *DevMailbox) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := m.validate(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	_, err := fmt.Fprintf(d.w, "\n---- dev mailbox (not sent; quickstart only) ----\nTo: %s\nSubject: %s\n\n%s\n---- end of message ----\n\n",
		m.To, m.Subject, strings.TrimRight(m.Text, "\n"))
	return err
}
