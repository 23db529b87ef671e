// Package demoapp is the upstream application of `vigil quickstart`: a page
// that shows who the gateway says you are. It verifies the signed assertion
// in X-Vigil-Assertion with pkg/vigilauth and displays the outcome, the
// claims, the raw token and the request headers it received (so one can see
// that identity headers sent by the client were stripped), plus /stream (a
// slowly flushed text response, to show streaming through the proxy) and
// /api/whoami (the same facts as JSON).
//
// It must never verify tokens itself, never treat an unverified assertion as
// an identity, and never display cookie or authorization header values.
package demoapp
