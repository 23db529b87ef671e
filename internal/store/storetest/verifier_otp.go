package storetest

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"
)

// readOTP returns both records without changing them.
func readOTP(t *testing.T, b Backend, challengeKey, mailboxKey string) (challenge, mailbox []byte) {
	t.Helper()
	err := b.UpdateOTP(t.Context(), challengeKey, mailboxKey, func(c, m []byte) ([]byte, []byte, error) {
		challenge, mailbox = c, m
		return c, m, nil
	})
	if err != nil {
		t.Fatalf("UpdateOTP(read): %v", err)
	}
	return challenge, mailbox
}

func testUpdateOTP(t *testing.T, b Backend) {
	ctx := t.Context()
	set := func(c, m string) func([]byte, []byte) ([]byte, []byte, error) {
		return func([]byte, []byte) ([]byte, []byte, error) { return []byte(c), []byte(m), nil }
	}
	if c, m := readOTP(t, b, "ch", "mb"); c != nil || m != nil {
		t.Fatalf("absent records = %q, %q; want nil, nil", c, m)
	}
	if err := b.UpdateOTP(ctx, "ch", "mb", set(`{"tries":0}`, `{"sent":1}`)); err != nil {
		t.Fatalf("UpdateOTP(create): %v", err)
	}
	if c, m := readOTP(t, b, "ch", "mb"); string(c) != `{"tries":0}` || string(m) != `{"sent":1}` {
		t.Fatalf("records = %q, %q; want what was saved", c, m)
	}
	// Keys are independent: another challenge sharing the mailbox starts empty.
	if c, m := readOTP(t, b, "ch2", "mb"); c != nil || string(m) != `{"sent":1}` {
		t.Fatalf("records for ch2 = %q, %q; want nil and the shared mailbox", c, m)
	}

	// A wrong code: fn fails, and its results are saved all the same.
	wrong := errors.New("wrong code")
	err := b.UpdateOTP(ctx, "ch", "mb", func(c, m []byte) ([]byte, []byte, error) {
		return []byte(`{"tries":1}`), m, wrong
	})
	if !errors.Is(err, wrong) {
		t.Fatalf("UpdateOTP with failing fn = %v; want fn's error", err)
	}
	if c, m := readOTP(t, b, "ch", "mb"); string(c) != `{"tries":1}` || string(m) != `{"sent":1}` {
		t.Fatalf("records after failing fn = %q, %q; want the try counted", c, m)
	}

	// nil deletes; the other record stays.
	if err := b.UpdateOTP(ctx, "ch", "mb", func(_, m []byte) ([]byte, []byte, error) { return nil, m, nil }); err != nil {
		t.Fatalf("UpdateOTP(delete challenge): %v", err)
	}
	if c, m := readOTP(t, b, "ch", "mb"); c != nil || string(m) != `{"sent":1}` {
		t.Fatalf("records after deleting the challenge = %q, %q; want nil and the mailbox", c, m)
	}
	if err := b.UpdateOTP(ctx, "ch", "mb", func(c, _ []byte) ([]byte, []byte, error) { return c, nil, nil }); err != nil {
		t.Fatalf("UpdateOTP(delete mailbox): %v", err)
	}
	if c, m := readOTP(t, b, "ch", "mb"); c != nil || m != nil {
		t.Fatalf("records after deleting both = %q, %q; want nil, nil", c, m)
	}
}

func testUpdateOTPConcurrent(t *testing.T, b Backend) {
	const workers = 32
	type counter struct{ N int }
	incr := func(raw []byte) ([]byte, error) {
		var c counter
		if raw != nil {
			if err := json.Unmarshal(raw, &c); err != nil {
				return nil, err
			}
		}
		c.N++
		return json.Marshal(c)
	}
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for range workers {
		wg.Go(func() {
			<-start
			err := b.UpdateOTP(t.Context(), "ch", "mb", func(ch, mb []byte) ([]byte, []byte, error) {
				nc, err := incr(ch)
				if err != nil {
					return ch, mb, err
				}
				nm, err := incr(mb)
				if err != nil {
					return ch, mb, err
				}
				return nc, nm, nil
			})
			if err != nil {
				t.Errorf("UpdateOTP: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	c, m := readOTP(t, b, "ch", "mb")
	for name, raw := range map[string][]byte{"challenge": c, "mailbox": m} {
		var got counter
		if err := json.Unmarshal(raw, &got); err != nil || got.N != workers {
			t.Errorf("%s counter = %s (%v); want %d: an increment was lost", name, raw, err, workers)
		}
	}
}

// testPurgeOTP relies on the backend stamping writes with the real clock,
// as backends do by default.
func testPurgeOTP(t *testing.T, b Backend) {
	ctx := t.Context()
	write := func(ch, mb string) {
		t.Helper()
		err := b.UpdateOTP(ctx, ch, mb, func([]byte, []byte) ([]byte, []byte, error) {
			return []byte(`{}`), []byte(`{}`), nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	write("ch1", "mb1")
	if n, err := b.PurgeOTP(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("PurgeOTP(an hour ago) = %d, %v; want 0", n, err)
	}
	if n, err := b.PurgeOTP(ctx, time.Now().Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("PurgeOTP(in an hour) = %d, %v; want 2", n, err)
	}
	if c, m := readOTP(t, b, "ch1", "mb1"); c != nil || m != nil {
		t.Fatalf("records after purge = %q, %q; want nil, nil", c, m)
	}
}
