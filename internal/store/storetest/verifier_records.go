package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

func fullEvidence(id, verificationID string, created time.Time) *store.Evidence {
	return &store.Evidence{ID: id, VerificationID: verificationID, Kind: "document-front", ContentType: "image/jpeg",
		Sealed: []byte("sealed:" + id), Size: 1234, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		CreatedAt: created, DeleteAfter: created.Add(24 * time.Hour)}
}

func testEvidenceRoundTrip(t *testing.T, b Backend) {
	ctx := t.Context()
	newVerification(t, b, "v1", "", store.VerificationStarted, base)
	want := fullEvidence("e1", "v1", base)
	in := *want
	if err := b.PutEvidence(ctx, &in); err != nil {
		t.Fatalf("PutEvidence: %v", err)
	}
	got, err := b.GetEvidence(ctx, "e1")
	if err != nil {
		t.Fatalf("GetEvidence: %v", err)
	}
	mustEqual(t, "evidence", got, want)
	dup := fullEvidence("e1", "v1", base.Add(time.Hour))
	if err := b.PutEvidence(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate PutEvidence = %v; want ErrConflict", err)
	}
	if err := b.PutEvidence(ctx, fullEvidence("e2", "missing", base)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("PutEvidence for an unknown verification = %v; want ErrNotFound", err)
	}
	if e, err := b.GetEvidence(ctx, "e2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetEvidence(missing) = %v, %v; want ErrNotFound", e, err)
	}
}

func testListEvidenceMetadataOnly(t *testing.T, b Backend) {
	ctx := t.Context()
	newVerification(t, b, "v1", "", store.VerificationStarted, base)
	newVerification(t, b, "v2", "", store.VerificationStarted, base)
	for _, e := range []*store.Evidence{
		fullEvidence("c", "v1", base.Add(2*time.Second)),
		fullEvidence("a", "v1", base),
		fullEvidence("b", "v1", base), // same time as a: ID breaks the tie
		fullEvidence("other", "v2", base),
	} {
		if err := b.PutEvidence(ctx, e); err != nil {
			t.Fatalf("PutEvidence(%s): %v", e.ID, err)
		}
	}
	got, err := b.ListEvidence(ctx, "v1")
	if err != nil {
		t.Fatalf("ListEvidence: %v", err)
	}
	var want []store.Evidence
	for _, e := range []*store.Evidence{fullEvidence("a", "v1", base), fullEvidence("b", "v1", base),
		fullEvidence("c", "v1", base.Add(2*time.Second))} {
		e.Sealed = nil // metadata only
		want = append(want, *e)
	}
	mustEqual(t, "ListEvidence(v1)", got, want)
	if got, err := b.ListEvidence(ctx, "none"); err != nil || len(got) != 0 {
		t.Fatalf("ListEvidence(none) = %v, %v; want none", got, err)
	}
}

func testDeleteEvidenceBefore(t *testing.T, b Backend) {
	ctx := t.Context()
	newVerification(t, b, "v1", "", store.VerificationApproved, base)
	now := base.Add(48 * time.Hour)
	for id, after := range map[string]time.Time{
		"past":   now.Add(-time.Second),
		"at-now": now,
		"future": now.Add(time.Microsecond),
	} {
		e := fullEvidence(id, "v1", base)
		e.DeleteAfter = after
		if err := b.PutEvidence(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := b.DeleteEvidenceBefore(ctx, now); err != nil || n != 2 {
		t.Fatalf("DeleteEvidenceBefore = %d, %v; want 2", n, err)
	}
	for id, kept := range map[string]bool{"past": false, "at-now": false, "future": true} {
		if _, err := b.GetEvidence(ctx, id); (err == nil) != kept || (err != nil && !errors.Is(err, store.ErrNotFound)) {
			t.Errorf("GetEvidence(%s) after delete = %v; kept want %v", id, err, kept)
		}
	}
	if _, err := b.GetVerification(ctx, "v1"); err != nil {
		t.Fatalf("deleting evidence removed its verification: %v", err)
	}
}

func fullPerson() *store.Person {
	return &store.Person{Subject: "sub-1", DocumentKey: "doc-key-1", GivenName: "Ada", FamilyName: "Lovelace",
		BirthDate: "1815-12-10", Nationalities: []string{"GBR", "IRL"}, ACR: "urn:vigil:acr:document",
		VerifiedClaims: []byte(`{"verification":{"trust_framework":"eidas"}}`), Face: []byte("sealed descriptor 1"),
		VerifiedAt: base, CreatedAt: base, UpdatedAt: base.Add(time.Second)}
}

// testPersonFaces: only persons with a face are listed, with their
// document key, and an upsert replaces (or clears) the face.
func testPersonFaces(t *testing.T, b Backend) {
	ctx := t.Context()
	if fs, err := b.ListPersonFaces(ctx); err != nil || len(fs) != 0 {
		t.Fatalf("empty store: %v %v", fs, err)
	}
	p1 := fullPerson()
	p2 := &store.Person{Subject: "sub-2", DocumentKey: "doc-key-2", GivenName: "Grace", FamilyName: "Hopper",
		VerifiedAt: base, CreatedAt: base, UpdatedAt: base}
	for _, p := range []*store.Person{p1, p2} {
		if err := b.UpsertPersonByDocument(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	fs, err := b.ListPersonFaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "faces", fs, []store.PersonFace{{Subject: "sub-1", DocumentKey: "doc-key-1", Face: []byte("sealed descriptor 1")}})
	p2.Face = []byte("sealed descriptor 2")
	p1.Face = nil
	for _, p := range []*store.Person{p1, p2} {
		if err := b.UpsertPersonByDocument(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	fs, err = b.ListPersonFaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "faces after upsert", fs, []store.PersonFace{{Subject: "sub-2", DocumentKey: "doc-key-2", Face: []byte("sealed descriptor 2")}})
}

func testPersonRoundTrip(t *testing.T, b Backend) {
	ctx := t.Context()
	want := fullPerson()
	in := *want
	if err := b.UpsertPersonByDocument(ctx, &in); err != nil {
		t.Fatalf("UpsertPersonByDocument: %v", err)
	}
	mustEqual(t, "person after insert", &in, want)
	got, err := b.GetPerson(ctx, "sub-1")
	if err != nil {
		t.Fatalf("GetPerson: %v", err)
	}
	mustEqual(t, "person", got, want)
	if p, err := b.GetPerson(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetPerson(missing) = %v, %v; want ErrNotFound", p, err)
	}
}

func testPersonUpsertKeepsSubject(t *testing.T, b Backend) {
	ctx := t.Context()
	if err := b.UpsertPersonByDocument(ctx, fullPerson()); err != nil {
		t.Fatal(err)
	}
	later := base.Add(365 * 24 * time.Hour)
	again := &store.Person{Subject: "sub-new", DocumentKey: "doc-key-1", GivenName: "Augusta Ada",
		FamilyName: "King", BirthDate: "1815-12-10", ACR: "urn:vigil:acr:chip", VerifiedClaims: []byte(`{}`),
		VerifiedAt: later, CreatedAt: later, UpdatedAt: later}
	if err := b.UpsertPersonByDocument(ctx, again); err != nil {
		t.Fatalf("second UpsertPersonByDocument: %v", err)
	}
	want := *again
	want.Subject, want.CreatedAt = "sub-1", base // kept, and written back
	mustEqual(t, "person after re-verification", again, &want)
	got, err := b.GetPerson(ctx, "sub-1")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "stored person", got, &want)
	if p, err := b.GetPerson(ctx, "sub-new"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetPerson(sub-new) = %v, %v; the proposed subject must not be stored", p, err)
	}
}

func testPersonSubjectClash(t *testing.T, b Backend) {
	ctx := t.Context()
	if err := b.UpsertPersonByDocument(ctx, fullPerson()); err != nil {
		t.Fatal(err)
	}
	other := fullPerson()
	other.DocumentKey, other.GivenName = "doc-key-2", "Mallory"
	if err := b.UpsertPersonByDocument(ctx, other); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("UpsertPersonByDocument with a taken subject = %v; want ErrConflict", err)
	}
	got, err := b.GetPerson(ctx, "sub-1")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "person after refused clash", got, fullPerson())
}
