package changes

import (
	"context"
	"testing"

	"github.com/vigil-gw/vigil/internal/store"
)

// scripted is a Source that returns whatever a fuzz input says, honouring
// afterSeq only if asked to: a backend that breaks its contract must not
// make a Follower redeliver, reorder, hang or panic.
type scripted struct {
	cs     []store.Change
	honour bool
	last   int64
}

func (s scripted) Changes(_ context.Context, after int64, limit int) ([]store.Change, error) {
	var out []store.Change
	for _, c := range s.cs {
		if (!s.honour || c.Seq > after) && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s scripted) LastChange(context.Context) (int64, error) { return s.last, nil }

func FuzzDeliver(f *testing.F) {
	f.Add([]byte{1, 2, 3}, uint8(2), int64(0), true, uint8(0))
	f.Add([]byte{3, 1, 2, 2, 9}, uint8(2), int64(1), false, uint8(0))
	f.Add([]byte{200, 0, 255, 7}, uint8(1), int64(250), true, uint8(1))
	f.Add([]byte{}, uint8(3), int64(4), true, uint8(9))
	f.Fuzz(func(t *testing.T, seqs []byte, batch uint8, start int64, honour bool, lastAdd uint8) {
		if start < 0 || start > 1<<20 {
			return
		}
		src := scripted{honour: honour, last: start + int64(lastAdd)}
		for i, b := range seqs {
			src.cs = append(src.cs, store.Change{Seq: int64(b), Kind: store.ChangeRisk, Key: string(rune('a' + i%26))})
		}
		fl, err := New(Options{Source: src, Batch: int(batch%8) + 1})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		resyncs := 0
		fl.Subscribe(func(c store.Change) { got = append(got, c.Seq) })
		fl.OnResync(func() error { resyncs++; return nil })
		fl.seq.Store(start)
		_ = fl.catchUp(t.Context(), true) // errStuck is a fine answer to a broken source

		prev := start
		for _, s := range got {
			if s <= prev {
				t.Fatalf("delivered %v after starting at %d: not strictly increasing", got, start)
			}
			prev = s
		}
		// Only a feed whose end is behind what it delivered (a restored
		// database) may move the position back, and never silently.
		if fl.Seq() < prev && (resyncs == 0 || fl.Seq() != src.last) {
			t.Fatalf("Seq = %d behind the last delivered %d (LastChange %d, %d resyncs)", fl.Seq(), prev, src.last, resyncs)
		}
		if resyncs > len(got)+1 {
			t.Fatalf("%d resyncs for %d deliveries", resyncs, len(got))
		}
	})
}
