package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

func testApprovedEmails(t *testing.T, b Backend) {
	ctx := t.Context()
	approved := func(id, email, person, status string, at time.Time) {
		t.Helper()
		v := newVerification(t, b, id, email, status, at)
		v.PersonSubject = person
		if err := b.UpdateVerification(ctx, v); err != nil {
			t.Fatalf("UpdateVerification(%s): %v", id, err)
		}
	}
	approved("a1", "ada@example.com", "p-ada", store.VerificationApproved, base)
	approved("a2", "ADA@Example.com", "p-ada", store.VerificationApproved, base.Add(time.Minute)) // the same account
	approved("a3", "ada.alt@example.com", "p-ada", store.VerificationApproved, base.Add(2*time.Minute))
	approved("a4", "", "p-ada", store.VerificationApproved, base.Add(3*time.Minute)) // no hint: no account
	approved("a5", "farm@example.com", "p-ada", store.VerificationRejected, base.Add(4*time.Minute))
	approved("b1", "bob@example.com", "p-bob", store.VerificationApproved, base.Add(5*time.Minute))
	for _, tc := range []struct {
		person string
		limit  int
		want   []string
	}{
		{"p-ada", 10, []string{"ada.alt@example.com", "ada@example.com"}},
		{"p-ada", 1, []string{"ada.alt@example.com"}},
		{"p-bob", 10, []string{"bob@example.com"}},
		{"p-nobody", 10, nil},
		{"", 10, nil},
		{"p-ada", 0, nil},
		{"p-\xff", 10, nil}, // text no backend could hold
		{"p-\x00", 10, nil},
	} {
		got, err := b.ApprovedEmails(ctx, tc.person, tc.limit)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ApprovedEmails(%q, %d) = %q, %v; want %q", tc.person, tc.limit, got, err, tc.want)
		}
	}
}
