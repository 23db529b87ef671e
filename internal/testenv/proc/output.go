package proc

import (
	"bytes"
	"io"
	"sync"
)

// readyWriter is the child's stdout: it hands the first line to the line
// channel and copies everything after it into rest.
type readyWriter struct {
	rest io.Writer
	line chan string
	mu   sync.Mutex
	buf  []byte
	sent bool
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sent {
		return w.rest.Write(p)
	}
	w.buf = append(w.buf, p...)
	i := bytes.IndexByte(w.buf, '\n')
	if i < 0 {
		if len(w.buf) > 4096 { // no sane READY line is this long
			w.sent = true
			close(w.line)
		}
		return len(p), nil
	}
	w.sent = true
	w.line <- string(w.buf[:i+1])
	_, _ = w.rest.Write(w.buf[i+1:])
	w.buf = nil
	return len(p), nil
}

// tailBuffer keeps the last max bytes written to it; safe for concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
