// Package dataplane serves the OCI distribution API, /v2/, for every
// registry of the server: one embedded distribution app per registry, each
// with its own storage root, chosen by the request's Host (SPEC §5); and the
// access controller, registered with distribution's registry/auth, that
// admits a request only if its access token or HTTP Basic credentials allow
// it (SPEC §2, §4).
//
// The hot path touches no database and verifies each access token's
// signature once: verified access tokens and Basic logins are cached until
// they expire, and every request compares the generation its credential was
// checked at with the token's current one, held in memory by the Tokens the
// server provides, so a revoked credential is refused on its next request.
//
// What OCI 1.1 asks and distribution v3.1 lacks is added around the app,
// never by changing it: the referrers API answered from an index kept in the
// registry's storage (referrers.go, referrerindex.go), OCI-Subject and digest
// aliases on manifest writes (manifests.go), sha512 digests through a
// repository middleware (digests.go), and blob uploads in one POST
// (uploads.go).
//
// It imports scope and signing, and distribution; never access or the store.
package dataplane
