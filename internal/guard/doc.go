// Package guard protects the two places a password is checked, the token
// endpoint (/oauth2/token) and HTTP Basic on /v2/: it throttles failed
// authentications per client address and per token name, tells who the
// client is behind trusted proxies, and hands every authentication decision
// to one observer (the server feeds metrics and the last use of each
// password from it).
//
// How throttling works. Each client address and each token name (of one
// registry) has a budget of failed authentications, refilled evenly over a
// window: with 30 per minute, one every two seconds. A successful
// authentication never spends budget.
//
//   - An address that has spent its budget is refused with 429 and
//     Retry-After before its credential is even checked, so one client
//     cannot make the server do unbounded work. Credentials that have
//     succeeded before on this node are exempt, so that a misconfigured
//     client behind the same NAT does not lock out the working ones.
//   - A token name that has spent its budget answers further failures with
//     429 instead of 401, but its credentials are still checked: the name is
//     not a secret, and blocking it outright would let anyone who knows it
//     lock out the token's legitimate users. Guessing a 256-bit password is
//     hopeless anyway; this limit tells misbehaving clients to back off.
//
// Memory is bounded: each table holds at most MaxKeys entries; entries whose
// budget is full are dropped when it fills, and while it stays full new keys
// are not tracked (fail open) rather than evicting the ones being throttled.
//
// It imports only the standard library.
package guard
