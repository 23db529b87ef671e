package main

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestQuantile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // reversed: quantile must sort
	}
	tests := []struct {
		name string
		ds   []time.Duration
		q    float64
		want time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one", ms(7), 0.99, 7 * time.Millisecond},
		{"median of odd", ms(3, 1, 2), 0.5, 2 * time.Millisecond},
		{"median of even is the lower", ms(4, 1, 3, 2), 0.5, 2 * time.Millisecond},
		{"p99 of 100", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"p90 of 100", ms(hundred...), 0.90, 90 * time.Millisecond},
		{"max", ms(hundred...), 1, 100 * time.Millisecond},
		{"zero quantile is the minimum", ms(5, 9), 0, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quantile(tt.ds, tt.q); got != tt.want {
				t.Errorf("quantile(%v, %v) = %v, want %v", tt.ds, tt.q, got, tt.want)
			}
		})
	}
}

func TestSignedOut(t *testing.T) {
	tests := []struct {
		name string
		a    answer
		want bool
	}{
		{"served", answer{status: http.StatusOK}, false},
		{"redirect to sign in", answer{status: http.StatusFound, location: "http://127.0.0.1:1/.vigil/login?rd=x"}, true},
		{"redirect elsewhere", answer{status: http.StatusFound, location: "http://127.0.0.1:1/other"}, false},
		{"revoked page", answer{status: http.StatusUnauthorized, body: []byte(`<p>code: session-revoked</p>`)}, true},
		{"other 401", answer{status: http.StatusUnauthorized, body: []byte(`unauthenticated`)}, false},
		{"server error", answer{status: http.StatusInternalServerError, body: []byte(`session-revoked`)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.signedOut(); got != tt.want {
				t.Errorf("signedOut() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRun runs the whole benchmark for a few trials of each scope: it
// builds vigil and starts two processes, so it is skipped with -short.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds vigil and runs two gateway processes")
	}
	for _, scope := range []string{"session", "user"} {
		t.Run(scope, func(t *testing.T) {
			o := options{trials: 3, scope: scope, poll: time.Millisecond, jitter: 10 * time.Millisecond, timeout: 20 * time.Second}
			if err := run(context.Background(), o); err != nil {
				t.Fatal(err)
			}
		})
	}
}
