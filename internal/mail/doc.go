// Package mail sends plain-text (optionally also HTML) messages over SMTP
// with github.com/wneessen/go-mail, for the verifier's one-time codes and
// notices.
//
// It must never log or return in an error a message body or subject (they
// carry codes) or the SMTP password, never send over an unencrypted
// connection to anything but a loopback host, and never accept an address
// or subject that could smuggle extra headers.
package mail
