// Package signing owns openacr's JWTs: the ES256 signing keys (shared by
// every node through a KeyStore, sealed at rest), their key ids, the JWKS
// that publishes them, and the claims of the access and refresh tokens that
// internal/authserver mints and internal/dataplane verifies.
//
// It imports no other openacr package: the store implements KeyStore, the
// server wires it in.
package signing
