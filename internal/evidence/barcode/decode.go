package barcode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// DefaultTimeout bounds one ZXingReader run. Decoding a clean image takes tens of milliseconds; a
// large photo with rotation and downscaling tried can take a few seconds.
const DefaultTimeout = 20 * time.Second

// Reader runs ZXingReader. The zero value looks the program up in PATH and uses DefaultTimeout.
type Reader struct {
	Path    string        // program to run; "" means "ZXingReader" found in PATH
	Timeout time.Duration // 0 means DefaultTimeout
}

// DecodePDF417 decodes the one PDF417 symbol in a PNG or JPEG image with ZXingReader found in PATH.
// See Reader.DecodePDF417.
func DecodePDF417(ctx context.Context, img []byte) ([]byte, error) {
	return Reader{}.DecodePDF417(ctx, img)
}

// DecodePDF417 returns the bytes carried by the one PDF417 symbol in img, exactly as encoded: no
// character set conversion, no trimming. Other symbologies in the image are ignored; no PDF417
// symbol is ErrNotFound and more than one is ErrMultiple (so is Macro PDF417, a payload split across
// symbols, which AAMVA does not use). Errors are *Error values.
func (r Reader) DecodePDF417(ctx context.Context, img []byte) ([]byte, error) {
	if err := checkImage(img); err != nil {
		return nil, err
	}
	prog, err := r.program()
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "vigil-barcode-*") // mode 0600: the image shows personal data
	if err != nil {
		return nil, errf(ErrDecoder, "temporary file: "+err.Error())
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(img); err != nil {
		f.Close()
		return nil, errf(ErrDecoder, "temporary file: "+err.Error())
	}
	if err := f.Close(); err != nil {
		return nil, errf(ErrDecoder, "temporary file: "+err.Error())
	}
	out, err := r.run(ctx, prog, f.Name())
	if err != nil {
		return nil, err
	}
	syms, err := parseOutput(out)
	if err != nil {
		return nil, err
	}
	var found [][]byte
	for _, s := range syms {
		if s.format == "PDF417" && !s.failed {
			found = append(found, s.data)
		}
	}
	switch len(found) {
	case 0:
		return nil, errf(ErrNotFound, "")
	case 1:
		return found[0], nil
	}
	return nil, errf(ErrMultiple, fmt.Sprintf("%d symbols", len(found)))
}

func (r Reader) program() (string, error) {
	name := r.Path
	if name == "" {
		name = "ZXingReader"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", errf(ErrToolMissing, "")
	}
	return p, nil
}

// run executes ZXingReader on one file. The arguments: only PDF417 is searched for (faster, and
// the 1D barcode also printed on many cards cannot interfere); -escape keeps each printed result
// to one line per key (see parseOutput). The file name comes last and is absolute (os.CreateTemp),
// so it cannot be taken for an option.
func (r Reader) run(ctx context.Context, prog, file string) ([]byte, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, "-format", "PDF417", "-escape", file)
	cmd.Env = []string{"LC_ALL=C"} // nothing from the caller's environment; the output must not vary
	cmd.WaitDelay = time.Second
	var stdout, stderr limitedBuffer
	stdout.max, stderr.max = maxOutput+1, 4096
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, errf(ErrDecoder, fmt.Sprintf("no answer within %s", timeout))
	}
	if ctx.Err() != nil {
		return nil, errf(ErrDecoder, "cancelled")
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			// stderr names the file and the reason ("Failed to read image: ..."); no image content.
			return nil, errf(ErrDecoder, fmt.Sprintf("exit status %d: %s", ee.ExitCode(), bytes.TrimSpace(stderr.Bytes())))
		}
		return nil, errf(ErrDecoder, err.Error())
	}
	return stdout.Bytes(), nil
}

// limitedBuffer keeps at most max bytes and silently drops the rest; parseOutput rejects output
// that reached the cap.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room < len(p) {
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
