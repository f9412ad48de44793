// Package authserver is openacr's token endpoint, /oauth2/token (SPEC §4):
// the Docker token protocol (GET with HTTP Basic) and the OAuth2 password
// and refresh-token grants (POST). It checks a token's password through
// access, grants the intersection of the requested scopes and the token's
// scope map, and mints short-lived access tokens (and refresh tokens) signed
// by internal/signing, carrying the token's generation so that the data plane
// can refuse them as soon as the token changes. An access token just minted
// is handed out again, for a few seconds, to the same credential asking for
// the same grant (reuse.go), since its signature is most of a request's cost.
//
// It imports access, scope and signing; never the store or the data plane.
package authserver
