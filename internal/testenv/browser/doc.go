// Package browser runs Debian's headless Chromium under chromedp for tests
// that drive Vigil's pages as a person would: real forms, real redirects,
// real cookies. One Browser per test; each Tab is a separate browser
// context (its own cookies), so two people can be signed in at once.
// Screenshots go to an artefact directory the test names in its log.
// For capture pages, Start takes FakeCamera (Chromium's fake camera, a Y4M
// file or its test pattern) and a Tab can get a virtual platform
// authenticator.
//
// It is test-only. It must never be imported by production code, and never
// skip when the CI environment variable is set: there a missing Chromium
// (scripts/install-browser-deps.sh) is a failure.
package browser
