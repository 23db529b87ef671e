package ocr

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"time"
)

const (
	defaultBinary        = "tesseract"
	defaultTimeout       = 20 * time.Second
	defaultMaxConcurrent = 2
	maxStdout            = 1 << 20 // TSV for a few MRZ lines is a few KB
	maxStderr            = 4 << 10
)

// Reader reads MRZ lines from document photos with Tesseract. The zero
// value is ready to use with the defaults; do not copy it after first use.
type Reader struct {
	Binary        string        // Tesseract executable; default "tesseract" from PATH
	DataDir       string        // tessdata directory, if not the system one
	Timeout       time.Duration // per OCR run; default 20s
	MaxBytes      int64         // upload size limit; default DefaultMaxBytes
	MaxPixels     int           // decoded size limit; default DefaultMaxPixels
	MaxConcurrent int           // OCR runs at once (each takes ~100 MB); default 2
	Logger        *slog.Logger  // receives engine stderr on failure; nil: none

	once sync.Once
	sem  chan struct{}
}

// Result is what was read. Lines are the MRZ lines, top first, in the MRZ
// alphabet; they may hold misreads, which the parser's check digits and the
// user's correction step catch.
type Result struct {
	Lines      []string
	Format     string  // "TD1", "TD2" or "TD3" when every line has that format's length, else ""
	Raw        string  // the engine's text, one line per text line, before clean-up
	Confidence float64 // engine's mean word confidence over Lines, 0 to 1
}

// Available checks that the engine runs and has its English model. The
// error says how to install what is missing.
func (r *Reader) Available() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	args := []string{"--list-langs"}
	if r.DataDir != "" {
		args = append(args, "--tessdata-dir", r.DataDir)
	}
	out, err := r.exec(ctx, nil, args)
	if err != nil {
		return err
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.TrimSpace(l) == "eng" {
			return nil
		}
	}
	return ErrNoLanguage
}

// ReadMRZ reads the MRZ lines of a PNG or JPEG document photo. Errors with
// User set concern the photo and are meant for the person who sent it.
func (r *Reader) ReadMRZ(ctx context.Context, img []byte) (Result, error) {
	if err := r.acquire(ctx); err != nil {
		return Result{}, err
	}
	defer r.release()
	g, _, err := prepare(img, r.maxBytes(), r.maxPixels())
	if err != nil {
		return Result{}, err
	}
	pngData, err := encodePNG(g)
	if err != nil {
		return Result{}, ErrEngine.with(err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()
	args := []string{"stdin", "stdout", "--dpi", "300", "--psm", "6", "-l", "eng",
		"-c", "tessedit_char_whitelist=" + Alphabet,
		"-c", "load_system_dawg=0", "-c", "load_freq_dawg=0"}
	if r.DataDir != "" {
		args = append(args, "--tessdata-dir", r.DataDir)
	}
	out, err := r.exec(ctx, pngData, append(args, "tsv"))
	if err != nil {
		return Result{}, err
	}
	lines := parseTSV(string(out))
	var raw []string
	for _, l := range lines {
		raw = append(raw, strings.Join(l.words, " "))
	}
	mrz, format, conf := pickMRZ(lines)
	res := Result{Lines: mrz, Format: format, Raw: strings.Join(raw, "\n"), Confidence: conf}
	if len(mrz) == 0 {
		return res, ErrUnreadable
	}
	return res, nil
}

// exec runs the engine with a minimal environment (one OpenMP thread: the
// concurrency limit is the parallelism) and bounded output.
func (r *Reader) exec(ctx context.Context, stdin []byte, args []string) ([]byte, error) {
	bin := r.Binary
	if bin == "" {
		bin = defaultBinary
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = []string{"OMP_THREAD_LIMIT=1", "LC_ALL=C"}
	cmd.Stdin = bytes.NewReader(stdin)
	stdout, stderr := &capped{max: maxStdout}, &capped{max: maxStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	switch {
	case err == nil && !stdout.over:
		return stdout.buf.Bytes(), nil
	case err == nil:
		return nil, ErrEngine.with(errors.New("output over limit"))
	case errors.Is(err, exec.ErrNotFound) || errors.Is(err, exec.ErrDot) || isStartError(err):
		return nil, ErrUnavailable.with(err)
	case ctx.Err() != nil:
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, ErrTimeout.with(ctx.Err())
		}
		return nil, ctx.Err()
	default:
		if r.Logger != nil {
			r.Logger.Warn("ocr engine failed", "err", err, "stderr", stderr.buf.String())
		}
		return nil, ErrEngine.with(err)
	}
}

// isStartError reports a failure to start the process (missing file, not
// executable), as opposed to the process failing.
func isStartError(err error) bool {
	var ee *exec.ExitError
	return !errors.As(err, &ee) && !errors.Is(err, exec.ErrWaitDelay) &&
		!errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled)
}

func (r *Reader) acquire(ctx context.Context) error {
	r.once.Do(func() {
		n := r.MaxConcurrent
		if n <= 0 {
			n = defaultMaxConcurrent
		}
		r.sem = make(chan struct{}, n)
	})
	select {
	case r.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ErrBusy.with(ctx.Err())
	}
}

func (r *Reader) release() { <-r.sem }

func (r *Reader) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return defaultTimeout
}

func (r *Reader) maxBytes() int64 {
	if r.MaxBytes > 0 {
		return r.MaxBytes
	}
	return DefaultMaxBytes
}

func (r *Reader) maxPixels() int {
	if r.MaxPixels > 0 {
		return r.MaxPixels
	}
	return DefaultMaxPixels
}

// capped keeps the first max bytes and discards the rest without failing
// the write, so the engine is not killed by a broken pipe mid-output.
type capped struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); len(p) > room {
		c.buf.Write(p[:max(room, 0)])
		c.over = true
		return len(p), nil
	}
	return c.buf.Write(p)
}
