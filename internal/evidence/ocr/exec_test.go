package ocr

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// script writes an executable shell script standing in for a misbehaving
// engine: these tests check the process bounds, not recognition.
func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "engine")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEngineBounds(t *testing.T) {
	img, _ := render(t, td3Doc(8))
	data := encodePNGImage(t, img)
	cases := []struct {
		name string
		body string
		want *Error
	}{
		{"hangs", "exec /bin/sleep 30", ErrTimeout},
		{"floods stdout", "exec /usr/bin/head -c 3000000 /dev/zero", ErrEngine},
		{"fails with detail", "echo 'Error opening data file /secret/tessdata/eng.traineddata' >&2; exit 1", ErrEngine},
		{"prints nothing", "cat >/dev/null; exit 0", ErrUnreadable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &Reader{Binary: script(t, c.body), Timeout: 500 * time.Millisecond}
			start := time.Now()
			_, err := r.ReadMRZ(context.Background(), data)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if strings.Contains(err.Error(), "/secret") || strings.Contains(err.Error(), r.Binary) {
				t.Errorf("message %q leaks detail", err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v: the timeout did not hold", d)
			}
		})
	}
}

func TestCanceledContext(t *testing.T) {
	img, _ := render(t, td3Doc(8))
	r := &Reader{Binary: script(t, "exec /bin/sleep 30"), MaxConcurrent: 1}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.ReadMRZ(ctx, encodePNGImage(t, img)); err == nil {
		t.Fatal("want an error on a canceled context")
	}
}

func TestAvailableNoEnglish(t *testing.T) {
	r := &Reader{Binary: script(t, "echo 'List of available languages (1):'; echo osd")}
	if err := r.Available(); !errors.Is(err, ErrNoLanguage) {
		t.Fatalf("got %v, want ErrNoLanguage", err)
	}
}
