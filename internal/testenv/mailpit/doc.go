// Package mailpit runs axllent/mailpit, a real SMTP server that keeps what it
// receives and shows it over an HTTP API, for tests that send mail.
//
// It is test-only. It must never be imported by production code, never
// listen beyond 127.0.0.1, and never skip when the CI environment variable
// is "true": there a missing or uninstallable mailpit is a failure.
package mailpit
