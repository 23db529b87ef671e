// Package admin is the admin JSON API under /.vigil/admin/api: list and
// revoke sessions (by session, user, app or identity provider), read a
// user's risk with its factors, reset it or raise it, read and push the
// configuration replicas share. The CLI (vigil sessions, vigil risk, vigil
// config) speaks it too. Every call needs the configured
// admin bearer token; without one the API is not served at all. Each
// change is made by the Service, which audits it and fans it out.
package admin
