// Package console is the administrators' web console under /.vigil/console/:
// an overview, live sessions (filter, revoke), users with their latest
// verification and their risk factor timeline (reset with a reason), the
// built-in verifier's review queue (text evidence, and the images for
// admins also in the evidence group, each view audited; approve, or reject
// with a reason), a policy tester, audit log search and Shared Signals
// streams.
// It is server-rendered html/template with no script, on its own mux,
// apart from the JSON admin API.
//
// Every request needs a Vigil session (the gateway's own sign-in) whose
// identity is in the configured admin group; the admin's email (or user
// ID) is the actor in audit records. Changes are made in-process by the
// admin service layer (admin.Service), which audits them and fans them out.
//
// It must never act on a POST without the session's CSRF token and a
// same-origin browser request, never serve a page without its security
// headers (strict CSP, nosniff, frame denial, no referrer, no-store), never
// serve an evidence image to an admin outside the evidence group, never
// show internal error detail to the browser, and never log personal data
// (the audit records name the admin acting; the log does not).
package console
