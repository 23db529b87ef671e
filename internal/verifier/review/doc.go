// Package review is the reviewer's web UI for verifications that need a
// person (NIST's trusted referee): a queue, a detail page with the
// evidence images, and approve / reject forms. It is an http.Handler meant
// to run as an app behind the Vigil gateway: every request must carry a
// valid Vigil identity assertion (pkg/vigilauth) whose groups include a
// reviewer group, and the assertion's email (or subject) is the reviewer
// recorded in the audit trail.
//
// The decisions themselves belong to the verifier (Approve, Reject and its
// optimistic concurrency); this package only shows and asks. It must never
// log personal data (names, emails, document fields, images), never serve
// evidence without no-store and nosniff, never accept a state-changing
// request from another origin, and never let a request without a verified
// reviewer assertion see anything but a refusal.
package review
