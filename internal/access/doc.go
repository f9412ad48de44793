// Package access owns openacr's domain: registries, scope maps, tokens and
// their two passwords, the rules of SPEC §1–3 and §6, and the credential
// service that creates, rotates and checks passwords.
//
// It declares the Store it needs and the sentinel errors every layer maps
// from; it never imports a store, an HTTP package or the CLI. Clock and
// randomness are fields of Service so that tests control them.
package access
