package facenet

import (
	"runtime"
	"strconv"
	"testing"
)

// BenchmarkDescriptor measures one descriptor per op with the default worker
// count (GOMAXPROCS) and with one worker.
func BenchmarkDescriptor(b *testing.B) {
	net := testNet(b)
	chip := readChip(b, "group_sheldon.png")
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) {
			n := &Net{w: net.w, workers: workers, free: make(chan *workspace, 1)}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := n.Descriptor(chip); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
