// Package policy compiles an app's access rules (the Cloudflare Access model:
// include / require / exclude selectors with allow, deny and bypass actions)
// into an immutable evaluator, and decides single requests with named reasons.
//
// Compile does all the work that can be done ahead of time (lower-cased lists,
// parsed prefixes, checked CEL programs, reason strings) so that Evaluate, on
// the request hot path, allocates nothing for rules without CEL.
//
// The package is pure: it must never do I/O, read clocks or the environment,
// log, or import net/http or a database driver. Every uncertain outcome fails
// closed: a selector that cannot be evaluated never lets an allow rule match,
// and an evaluation error in a deny rule denies.
package policy
