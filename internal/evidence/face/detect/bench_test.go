package detect

import (
	"image"
	"path"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time. The build machine is
// shared, so wall time per op swings with other load; Detect runs on one
// goroutine, so CPU time per op is what it would take on an idle core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	if b.N > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
	}
}

// benchImages are the test photos plus a 640x480 webcam-like frame (one
// face, about 150 px, on grey), the size the capture page sends.
func benchImages(b *testing.B) []struct {
	name string
	img  image.Image
} {
	out := []struct {
		name string
		img  image.Image
	}{
		{"webcam640x480", place(load(b, "sheldon/sheldon2.png"), 640, 480, 250, 150)},
		{"group710x473", load(b, groupPhoto)},
	}
	for _, n := range singles(b) {
		out = append(out, struct {
			name string
			img  image.Image
		}{strings.TrimSuffix(path.Base(n), ".png"), load(b, n)})
	}
	return out
}

// BenchmarkDetect: the detector per image at the defaults; the "upright"
// variants skip the rotated scans, the "coarse" ones use a sparser window
// grid (ShiftFactor 0.15, ScaleFactor 1.2) to show the speed/recall trade.
func BenchmarkDetect(b *testing.B) {
	if _, err := loadCascades(); err != nil {
		b.Fatal(err)
	}
	variants := []struct {
		name string
		opts Options
	}{
		{"default", Options{Multiple: true}},
		{"upright", Options{Multiple: true, NoRotation: true}},
		{"coarse", Options{Multiple: true, ShiftFactor: 0.15, ScaleFactor: 1.2, MinScore: 5}},
	}
	for _, im := range benchImages(b) {
		for _, v := range variants {
			if v.name != "default" && !strings.HasPrefix(im.name, "webcam") && !strings.HasPrefix(im.name, "group") {
				continue
			}
			b.Run(im.name+"/"+v.name, func(b *testing.B) {
				start := cpuTime()
				for b.Loop() {
					if _, err := Detect(im.img, v.opts); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, start)
			})
		}
	}
}

func BenchmarkAlign(b *testing.B) {
	for _, im := range benchImages(b)[:3] {
		faces, err := Detect(im.img, Options{Multiple: true})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(im.name, func(b *testing.B) {
			start := cpuTime()
			for b.Loop() {
				Align(im.img, faces[0], ChipSize)
			}
			reportCPU(b, start)
		})
	}
}
