package dg2

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

const (
	maxStderr = 4 << 10
	// maxTiles bounds the tile grid: a codestream of 1x1 tiles would keep
	// opj_decompress busy up to the timeout on a tiny file.
	maxTiles = 4096
)

// decodeJPEG2000 runs opj_decompress on a JP2 file or a bare J2K codestream
// in a private temporary directory and reads back the netpbm image it writes. The
// codestream's SIZ header is checked first, so the limits hold before the
// decoder allocates anything.
func (d *Decoder) decodeJPEG2000(ctx context.Context, b []byte) (image.Image, error) {
	ext := ".jp2"
	cs := b
	if !bytes.HasPrefix(b, j2kCodestart) {
		var err error
		if cs, err = jp2Box(b, "jp2c"); err != nil {
			return nil, fmt.Errorf("dg2: %w: %v", ErrDecode, err)
		}
	} else {
		ext = ".j2k"
	}
	siz, err := readSIZ(cs)
	if err != nil {
		return nil, err
	}
	if err := d.checkSize(siz.width, siz.height); err != nil {
		return nil, err
	}
	if err := d.acquire(ctx); err != nil {
		return nil, err
	}
	defer d.release()
	// MkdirTemp makes the directory 0700: no other user sees the face.
	dir, err := os.MkdirTemp(d.TempDir, "vigil-dg2-")
	if err != nil {
		return nil, fmt.Errorf("dg2: %w: temporary directory: %v", ErrDecode, err)
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "in"+ext), filepath.Join(dir, "out.pnm")
	if err := writePrivate(in, b); err != nil {
		return nil, fmt.Errorf("dg2: %w: write input: %v", ErrDecode, err)
	}
	if err := d.run(ctx, in, out); err != nil {
		return nil, err
	}
	return readOutput(out, siz.width, siz.height)
}

// writePrivate creates a new file readable by this user only.
func writePrivate(name string, b []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// run executes opj_decompress with an empty environment, one thread (the
// concurrency limit is the parallelism), 8-bit output with subsampled
// components upsampled (netpbm output needs both), and no partial decodes: a
// truncated codestream is an error, not half a face. -force-rgb is left out:
// it fails on bare codestreams, and opj_decompress turns sYCC JP2 files into
// RGB without it.
func (d *Decoder) run(ctx context.Context, in, out string) error {
	bin := d.OpjDecompress
	if bin == "" {
		bin = defaultOpjDecompress
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return fmt.Errorf("dg2: %w (%v)", ErrDecoderMissing, err)
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultDecodeTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-i", in, "-o", out, "-quiet", "-threads", "1",
		"-upsample", "-p", "8")
	cmd.Env = []string{}
	stderr := &capped{max: maxStderr}
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("dg2: %w: opj_decompress stopped: %v", ErrDecode, ctx.Err())
	case isStartError(err):
		return fmt.Errorf("dg2: %w (%v)", ErrDecoderMissing, err)
	}
	// The decoder's messages are technical (marker and tile errors), never
	// image content, so the last one goes into the error for the log.
	return fmt.Errorf("dg2: %w: opj_decompress: %v: %s", ErrDecode, err, lastLine(stderr.buf.String()))
}

// isStartError reports a failure to start the process (vanished or not
// executable), as opposed to the process failing.
func isStartError(err error) bool {
	var ee *exec.ExitError
	return !errors.As(err, &ee) && !errors.Is(err, exec.ErrWaitDelay)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	l := strings.TrimSpace(lines[len(lines)-1])
	if len(l) > 200 {
		l = l[:200]
	}
	return l
}

// readOutput reads the decoder's output, at most what a w x h image of four
// 8-bit channels takes plus a header.
func readOutput(name string, w, h int) (image.Image, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("dg2: %w: opj_decompress wrote no image: %v", ErrDecode, err)
	}
	defer f.Close()
	limit := int64(w)*int64(h)*4 + 4<<10
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil || int64(len(data)) > limit {
		return nil, fmt.Errorf("dg2: %w: decoder output unreadable or over %d bytes", ErrDecode, limit)
	}
	return readPNM(data, w, h)
}

// capped keeps the first max bytes written and drops the rest.
type capped struct {
	buf bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
