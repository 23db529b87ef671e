package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// verifierTests cover the records of the identity-verification provider.
var verifierTests = []conformanceTest{
	{"VerificationRoundTrip", testVerificationRoundTrip},
	{"VerificationNotFound", testVerificationNotFound},
	{"VerificationConflict", testVerificationConflict},
	{"VerificationOptimisticUpdate", testVerificationOptimisticUpdate},
	{"VerificationConcurrentUpdate", testVerificationConcurrentUpdate},
	{"VerificationByAuthRequest", testVerificationByAuthRequest},
	{"ListVerifications", testListVerifications},
	{"FindApprovedVerification", testFindApprovedVerification},
	{"ApprovedEmails", testApprovedEmails},
	{"CountVerifications", testCountVerifications},
	{"ExpireVerifications", testExpireVerifications},
	{"EvidenceRoundTrip", testEvidenceRoundTrip},
	{"ListEvidenceMetadataOnly", testListEvidenceMetadataOnly},
	{"DeleteEvidenceBefore", testDeleteEvidenceBefore},
	{"PersonRoundTrip", testPersonRoundTrip},
	{"PersonUpsertKeepsSubject", testPersonUpsertKeepsSubject},
	{"PersonSubjectClash", testPersonSubjectClash},
	{"PersonFaces", testPersonFaces},
	{"UpdateOTP", testUpdateOTP},
	{"UpdateOTPConcurrent", testUpdateOTPConcurrent},
	{"PurgeOTP", testPurgeOTP},
}

// fullVerification sets every field to a distinct, non-zero value.
func fullVerification(id string) *store.Verification {
	return &store.Verification{
		ID: id, Version: 1, AuthRequestID: "ar-" + id, ClientID: "portal", Rung: "urn:vigil:acr:document",
		Status: store.VerificationReview, ClaimedEmail: "Ada@Example.com", ClaimedName: "Ada Lovelace",
		Steps: []byte(`{"email":{"ok":true}}`), Reasons: []string{"face-mismatch", "name-mismatch"},
		PersonSubject: "person-1", Reviewer: "rev@example.com", ReviewNote: "looks fine",
		ReviewedAt: base.Add(time.Minute), CreatedAt: base, UpdatedAt: base.Add(2 * time.Minute),
		ExpiresAt: base.Add(time.Hour),
	}
}

// newVerification is a minimal started verification created at created.
func newVerification(t *testing.T, b Backend, id, email, status string, created time.Time) *store.Verification {
	t.Helper()
	v := &store.Verification{ID: id, AuthRequestID: "ar-" + id, Status: status, ClaimedEmail: email,
		CreatedAt: created, UpdatedAt: created, ExpiresAt: created.Add(time.Hour)}
	if err := b.CreateVerification(t.Context(), v); err != nil {
		t.Fatalf("CreateVerification(%s): %v", id, err)
	}
	return v
}

func ids(vs []store.Verification) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.ID)
	}
	return out
}

func testVerificationRoundTrip(t *testing.T, b Backend) {
	want := fullVerification("v1")
	in := *want
	in.Version = 7 // ignored: a new record starts at 1
	paris := time.FixedZone("CET", 3600)
	in.CreatedAt = base.In(paris) // read back in UTC
	if err := b.CreateVerification(t.Context(), &in); err != nil {
		t.Fatalf("CreateVerification: %v", err)
	}
	if in.Version != 1 {
		t.Fatalf("Version after create = %d, want 1", in.Version)
	}
	got, err := b.GetVerification(t.Context(), "v1")
	if err != nil {
		t.Fatalf("GetVerification: %v", err)
	}
	mustEqual(t, "verification", got, want)

	// Zero times and empty lists come back as zero and nil.
	bare := &store.Verification{ID: "v2", Status: store.VerificationStarted, ExpiresAt: base,
		Reasons: []string{}, Steps: []byte{}}
	if err := b.CreateVerification(t.Context(), bare); err != nil {
		t.Fatalf("CreateVerification(bare): %v", err)
	}
	got, err = b.GetVerification(t.Context(), "v2")
	if err != nil {
		t.Fatalf("GetVerification(bare): %v", err)
	}
	mustEqual(t, "bare verification", got,
		&store.Verification{ID: "v2", Version: 1, Status: store.VerificationStarted, ExpiresAt: base})
}

func testVerificationNotFound(t *testing.T, b Backend) {
	ctx := t.Context()
	newVerification(t, b, "v1", "", store.VerificationApproved, base) // empty email and auth request must not match ""
	for name, get := range map[string]func() (*store.Verification, error){
		"GetVerification(missing)":           func() (*store.Verification, error) { return b.GetVerification(ctx, "missing") },
		"GetVerificationByAuthRequest(x)":    func() (*store.Verification, error) { return b.GetVerificationByAuthRequest(ctx, "x") },
		"FindApprovedVerification(x)":        func() (*store.Verification, error) { return b.FindApprovedVerification(ctx, "x@example.com") },
		"FindApprovedVerification(empty)":    func() (*store.Verification, error) { return b.FindApprovedVerification(ctx, "") },
		"GetVerificationByAuthRequest(\"\")": func() (*store.Verification, error) { return b.GetVerificationByAuthRequest(ctx, "") },
	} {
		if v, err := get(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s = %v, %v; want ErrNotFound", name, v, err)
		}
	}
	missing := fullVerification("missing")
	if err := b.UpdateVerification(ctx, missing); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateVerification(missing) = %v; want ErrNotFound", err)
	}
	if missing.Version != 1 {
		t.Errorf("failed update changed Version to %d", missing.Version)
	}
}

func testVerificationConflict(t *testing.T, b Backend) {
	first := fullVerification("v1")
	if err := b.CreateVerification(t.Context(), first); err != nil {
		t.Fatalf("CreateVerification: %v", err)
	}
	again := fullVerification("v1")
	again.Status = store.VerificationApproved
	if err := b.CreateVerification(t.Context(), again); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate CreateVerification = %v; want ErrConflict", err)
	}
	got, err := b.GetVerification(t.Context(), "v1")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "verification after refused duplicate", got, fullVerification("v1"))
}

func testVerificationOptimisticUpdate(t *testing.T, b Backend) {
	ctx := t.Context()
	if err := b.CreateVerification(ctx, fullVerification("v1")); err != nil {
		t.Fatal(err)
	}
	a, err := b.GetVerification(ctx, "v1")
	if err != nil {
		t.Fatal(err)
	}
	c := *a // a second request that read the same version
	a.Status, a.Reasons, a.Steps = store.VerificationApproved, nil, []byte(`{"done":true}`)
	a.ClaimedEmail, a.UpdatedAt, a.ExpiresAt = "new@example.com", base.Add(time.Hour), base.Add(2*time.Hour)
	a.CreatedAt = base.Add(time.Hour) // CreatedAt is not updatable
	if err := b.UpdateVerification(ctx, a); err != nil {
		t.Fatalf("first UpdateVerification: %v", err)
	}
	if a.Version != 2 {
		t.Fatalf("Version after update = %d, want 2", a.Version)
	}
	c.Status = store.VerificationRejected
	if err := b.UpdateVerification(ctx, &c); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale UpdateVerification = %v; want ErrConflict", err)
	}
	if c.Version != 1 {
		t.Fatalf("failed update changed Version to %d", c.Version)
	}
	want := *a
	want.CreatedAt = base
	got, err := b.GetVerification(ctx, "v1")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "verification after update", got, &want)
	if err := b.UpdateVerification(ctx, got); err != nil || got.Version != 3 {
		t.Fatalf("update from a fresh read = %v, Version %d; want nil, 3", err, got.Version)
	}
}

func testVerificationConcurrentUpdate(t *testing.T, b Backend) {
	ctx := t.Context()
	if err := b.CreateVerification(ctx, fullVerification("v1")); err != nil {
		t.Fatal(err)
	}
	read, err := b.GetVerification(ctx, "v1")
	if err != nil {
		t.Fatal(err)
	}
	const workers = 16
	var (
		wg              sync.WaitGroup
		mu              sync.Mutex
		wins, conflicts int
		winner          string
		start           = make(chan struct{})
	)
	for i := range workers {
		wg.Go(func() {
			v := *read
			v.ReviewNote = fmt.Sprint("writer ", i)
			<-start
			err := b.UpdateVerification(ctx, &v)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
				winner = v.ReviewNote
			case errors.Is(err, store.ErrConflict):
				conflicts++
			default:
				t.Errorf("UpdateVerification: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if wins != 1 || conflicts != workers-1 {
		t.Fatalf("%d updates won and %d conflicted; want 1 and %d", wins, conflicts, workers-1)
	}
	got, err := b.GetVerification(ctx, "v1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.ReviewNote != winner {
		t.Fatalf("stored Version %d note %q; want 2 and the winner's %q", got.Version, got.ReviewNote, winner)
	}
}

func testVerificationByAuthRequest(t *testing.T, b Backend) {
	ctx := t.Context()
	for i, created := range []time.Time{base, base.Add(2 * time.Second), base.Add(time.Second)} {
		v := &store.Verification{ID: fmt.Sprint("v", i), AuthRequestID: "ar", Status: store.VerificationStarted,
			CreatedAt: created, ExpiresAt: base.Add(time.Hour)}
		if err := b.CreateVerification(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	newVerification(t, b, "other", "", store.VerificationStarted, base.Add(time.Hour)) // auth request "ar-other"
	got, err := b.GetVerificationByAuthRequest(ctx, "ar")
	if err != nil || got.ID != "v1" {
		t.Fatalf("GetVerificationByAuthRequest = %+v, %v; want the newest, v1", got, err)
	}
}

func testListVerifications(t *testing.T, b Backend) {
	ctx := t.Context()
	if got, err := b.ListVerifications(ctx, "", 10); err != nil || len(got) != 0 {
		t.Fatalf("ListVerifications(empty store) = %v, %v; want none", got, err)
	}
	newVerification(t, b, "c", "", store.VerificationReview, base.Add(3*time.Second))
	newVerification(t, b, "a", "", store.VerificationStarted, base.Add(time.Second))
	newVerification(t, b, "d", "", store.VerificationReview, base.Add(time.Second)) // same time as a: ID breaks the tie
	newVerification(t, b, "b", "", store.VerificationReview, base)
	for _, tc := range []struct {
		status string
		limit  int
		want   []string
	}{
		{"", 10, []string{"b", "a", "d", "c"}},
		{"", 0, []string{"b", "a", "d", "c"}}, // no limit
		{"", 2, []string{"b", "a"}},
		{store.VerificationReview, 10, []string{"b", "d", "c"}},
		{store.VerificationReview, 1, []string{"b"}},
		{store.VerificationStarted, 10, []string{"a"}},
		{store.VerificationApproved, 10, []string{}},
	} {
		got, err := b.ListVerifications(ctx, tc.status, tc.limit)
		if err != nil {
			t.Fatalf("ListVerifications(%q, %d): %v", tc.status, tc.limit, err)
		}
		mustEqual(t, fmt.Sprintf("ListVerifications(%q, %d)", tc.status, tc.limit), ids(got), tc.want)
	}
}

func testFindApprovedVerification(t *testing.T, b Backend) {
	ctx := t.Context()
	newVerification(t, b, "old", "ada@example.com", store.VerificationApproved, base)
	newVerification(t, b, "new", "ADA@Example.COM", store.VerificationApproved, base.Add(time.Minute))
	newVerification(t, b, "newer-review", "ada@example.com", store.VerificationReview, base.Add(2*time.Minute))
	newVerification(t, b, "newer-rejected", "ada@example.com", store.VerificationRejected, base.Add(3*time.Minute))
	newVerification(t, b, "other", "bob@example.com", store.VerificationApproved, base.Add(4*time.Minute))
	for _, q := range []string{"ada@example.com", "Ada@Example.com", "ADA@EXAMPLE.COM"} {
		got, err := b.FindApprovedVerification(ctx, q)
		if err != nil || got.ID != "new" {
			t.Fatalf("FindApprovedVerification(%q) = %+v, %v; want the newest approved, \"new\"", q, got, err)
		}
	}
	for _, q := range []string{"ada@example.co", "da@example.com", "ada@example.com "} {
		if got, err := b.FindApprovedVerification(ctx, q); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("FindApprovedVerification(%q) = %+v, %v; want ErrNotFound", q, got, err)
		}
	}
}

func testCountVerifications(t *testing.T, b Backend) {
	ctx := t.Context()
	newVerification(t, b, "r1", "ada@example.com", store.VerificationRejected, base)
	newVerification(t, b, "r2", "ADA@example.com", store.VerificationRejected, base.Add(time.Hour))
	newVerification(t, b, "a1", "ada@example.com", store.VerificationApproved, base.Add(time.Hour))
	newVerification(t, b, "r3", "bob@example.com", store.VerificationRejected, base.Add(time.Hour))
	for _, tc := range []struct {
		email, status string
		since         time.Time
		want          int
	}{
		{"ada@example.com", store.VerificationRejected, base, 2},
		{"Ada@Example.com", store.VerificationRejected, base.Add(time.Minute), 1},
		{"ada@example.com", store.VerificationRejected, base.Add(2 * time.Hour), 0},
		{"ada@example.com", store.VerificationApproved, base, 1},
		{"", store.VerificationRejected, base, 0},
	} {
		n, err := b.CountVerifications(ctx, tc.email, tc.status, tc.since)
		if err != nil || n != tc.want {
			t.Errorf("CountVerifications(%q, %s, %s) = %d, %v; want %d", tc.email, tc.status, tc.since, n, err, tc.want)
		}
	}
}

func testExpireVerifications(t *testing.T, b Backend) {
	ctx := t.Context()
	now := base.Add(time.Hour)
	for _, tc := range []struct {
		id, status string
		expires    time.Time
	}{
		{"started-past", store.VerificationStarted, now.Add(-time.Second)},
		{"review-past", store.VerificationReview, now.Add(-time.Hour)},
		{"started-at-now", store.VerificationStarted, now},
		{"started-future", store.VerificationStarted, now.Add(time.Microsecond)},
		{"review-future", store.VerificationReview, now.Add(time.Hour)},
		{"approved-past", store.VerificationApproved, now.Add(-time.Second)},
		{"rejected-past", store.VerificationRejected, now.Add(-time.Second)},
	} {
		v := &store.Verification{ID: tc.id, Status: tc.status, CreatedAt: base, UpdatedAt: base, ExpiresAt: tc.expires}
		if err := b.CreateVerification(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	stale, err := b.GetVerification(ctx, "review-past")
	if err != nil {
		t.Fatal(err)
	}
	n, err := b.ExpireVerifications(ctx, now)
	if err != nil || n != 3 {
		t.Fatalf("ExpireVerifications = %d, %v; want 3", n, err)
	}
	expired, err := b.ListVerifications(ctx, store.VerificationExpired, 0)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "expired", ids(expired), []string{"review-past", "started-at-now", "started-past"})
	for _, v := range expired {
		if v.Version != 2 || !v.UpdatedAt.Equal(now) {
			t.Errorf("%s: Version %d UpdatedAt %v; want 2 and %v", v.ID, v.Version, v.UpdatedAt, now)
		}
	}
	for _, id := range []string{"started-future", "review-future", "approved-past", "rejected-past"} {
		if v, err := b.GetVerification(ctx, id); err != nil || v.Version != 1 || v.Status == store.VerificationExpired {
			t.Errorf("%s after expiry sweep = %+v, %v; want untouched", id, v, err)
		}
	}
	// A request that read the record before the sweep cannot revive it.
	stale.Status = store.VerificationApproved
	if err := b.UpdateVerification(ctx, stale); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("approving a verification expired meanwhile = %v; want ErrConflict", err)
	}
	if n, err := b.ExpireVerifications(ctx, now); err != nil || n != 0 {
		t.Fatalf("second ExpireVerifications = %d, %v; want 0", n, err)
	}
}
